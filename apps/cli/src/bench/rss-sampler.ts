const MB = 1024 * 1024

export interface RssFigures {
  rssStartMb: number
  rssPeakMb: number
  rssEndMb: number
  rssGrowthMb: number
}

/**
 * Samples this process's RSS (the host, its worker threads and the bench
 * together) every 100 ms: its peak over the run and per level.
 */
export class RssSampler {
  #start = process.memoryUsage.rss()
  #peak = this.#start
  #levelPeak = this.#start
  #timer = setInterval(() => this.sample(), 100).unref()

  sample(): number {
    const rss = process.memoryUsage.rss()
    if (rss > this.#peak) this.#peak = rss
    if (rss > this.#levelPeak) this.#levelPeak = rss
    return rss
  }

  /** The peak since the last call, in MB. */
  takeLevelPeakMb(): number {
    this.sample()
    const peak = this.#levelPeak
    this.#levelPeak = 0
    return peak / MB
  }

  stop(): RssFigures {
    clearInterval(this.#timer)
    const end = this.sample()
    return {
      rssStartMb: this.#start / MB,
      rssPeakMb: this.#peak / MB,
      rssEndMb: end / MB,
      rssGrowthMb: (end - this.#start) / MB,
    }
  }
}
