import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { startBareStreamServer } from '../baselines/bare-stream.mjs'
import { figure } from '../lib/figure.mjs'
import { startLambdaletServer } from '../lib/lambdalet-server.mjs'
import { interleave, median } from '../lib/measure.mjs'

const codeDir = fileURLToPath(new URL('../fixtures/', import.meta.url))

/**
 * One streamed download by curl, a client in its own process: time to
 * first byte (ms) and throughput (MB/s) as curl measures them, and the
 * growth of this process's RSS (where both servers run) while it streamed.
 */
async function download(url, megabytes) {
  const baseline = process.memoryUsage().rss
  let peak = baseline
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss)
  }, 10)
  const curl = spawn('curl', [
    '-sSN',
    '-o',
    '/dev/null',
    '-w',
    '%{time_starttransfer} %{speed_download} %{size_download}',
    `${url}/stream?megabytes=${megabytes}`,
  ])
  let out = ''
  curl.stdout.on('data', (chunk) => (out += chunk))
  const code = await new Promise((resolve, reject) => {
    curl.once('error', reject)
    curl.once('close', resolve)
  })
  clearInterval(sampler)
  const [ttfb, speed, size] = out.trim().split(' ').map(Number)
  if (code !== 0 || size !== megabytes * 1024 * 1024) {
    throw new Error(`curl exited with ${code} after ${size} of ${megabytes} MB`)
  }
  return { ttfbMs: ttfb * 1000, mbPerSecond: speed / 1024 / 1024, rssGrowthMb: (peak - baseline) / 1024 / 1024 }
}

export async function streaming({ rounds, megabytes, progress }) {
  const lambdalet = await startLambdaletServer({
    stream: { handler: 'stream.mjs', codeDir, routes: ['GET /stream'], timeoutMs: 120_000 },
  })
  const bare = await startBareStreamServer()
  try {
    // Warm: the environment started, the code optimised, the heaps at size.
    await download(lambdalet.url, megabytes)
    await download(bare.url, megabytes)
    const results = await interleave(
      `streaming ${megabytes} MB`,
      rounds,
      [
        { name: 'lambdalet', run: () => download(lambdalet.url, megabytes) },
        { name: 'bare', run: () => download(bare.url, megabytes) },
      ],
      progress,
    )
    const pick = (side, key) => results[side].map((sample) => sample[key])
    return [
      figure({
        id: 'stream-ttfb',
        title: `streaming time to first byte (ms): an HTTP route of a streamifyResponse handler vs a bare node:http chunked response`,
        unit: 'ms',
        lambdalet: { label: 'route', samples: pick('lambdalet', 'ttfbMs') },
        baseline: { label: 'node:http', samples: pick('bare', 'ttfbMs') },
        target: { op: '<=', value: 2 },
      }),
      figure({
        id: 'stream-throughput',
        title: `streaming throughput (MB/s), ${megabytes} MB read by curl -N: the same route vs node:http`,
        unit: 'MB/s',
        lambdalet: { label: 'route', samples: pick('lambdalet', 'mbPerSecond') },
        baseline: { label: 'node:http', samples: pick('bare', 'mbPerSecond') },
        target: { op: '>=', value: 0.5 },
      }),
      figure({
        id: 'stream-rss',
        title: `host RSS growth while streaming ${megabytes} MB, as a share of the stream (MB)`,
        unit: 'MB',
        lambdalet: { label: 'RSS growth', samples: pick('lambdalet', 'rssGrowthMb') },
        baseline: { label: 'stream size', samples: [megabytes] },
        target: { op: '<=', value: 0.1 },
        notes: `node:http alone grew by ${median(pick('bare', 'rssGrowthMb')).toFixed(1)} MB`,
      }),
    ]
  } finally {
    await lambdalet.close()
    await bare.close()
  }
}
