import { figure } from './figure.mjs'

/**
 * `drive(url, seconds)`: POSTs `{}` to `path` at `connections` for that
 * long with the load generator, and fails on any error, timeout or non-2xx
 * answer (a figure of failures would flatter whoever fails fastest).
 */
export function httpDriver(load, path, connections) {
  return async function drive(url, duration) {
    const result = await load.run({
      url: url + path,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
      connections,
      duration,
    })
    const failures = result.errors + result.timeouts + result.non2xx
    if (failures > 0) throw new Error(`${url}: ${failures} of ${result.total} requests failed`)
    return result
  }
}

/** The throughput and p99 figures of two HTTP sides' samples. */
export function httpFigures({ id, title, ours, theirs, targets }) {
  return [
    figure({
      id: `${id}-throughput`,
      title: title.throughput,
      unit: 'req/s',
      lambdalet: { label: ours.label, samples: ours.results.map((r) => r.requestsPerSecond) },
      baseline: { label: theirs.label, samples: theirs.results.map((r) => r.requestsPerSecond) },
      target: { op: '>=', value: targets.throughput },
    }),
    figure({
      id: `${id}-p99`,
      title: title.p99,
      unit: 'ms',
      lambdalet: { label: ours.label, samples: ours.results.map((r) => r.latency.p99) },
      baseline: { label: theirs.label, samples: theirs.results.map((r) => r.latency.p99) },
      target: { op: '<=', value: targets.p99 },
    }),
  ]
}
