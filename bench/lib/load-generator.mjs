// autocannon in its own process, driven over IPC. In the suite's process it
// would share one event loop with the servers under test, and the load it
// can make would depend on how busy they keep that loop.
import autocannon from 'autocannon'

process.on('message', async ({ id, options }) => {
  try {
    const result = await autocannon(options)
    process.send({
      id,
      result: {
        requestsPerSecond: result.requests.total / result.duration,
        total: result.requests.total,
        latency: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
        errors: result.errors,
        timeouts: result.timeouts,
        non2xx: result.non2xx,
      },
    })
  } catch (error) {
    process.send({ id, error: String(error?.stack ?? error) })
  }
})
