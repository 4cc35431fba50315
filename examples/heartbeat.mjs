// A scheduled function: lambdalet.json gives it two EventBridge schedules.
// Every 10 seconds it gets the Scheduled Event (rate(10 seconds) is a local
// extension; AWS's shortest rate is 1 minute); at 09:00 UTC on weekdays it
// gets that schedule's input instead. Each tick is an asynchronous
// invocation, so a throw here is retried as Lambda retries Event invocations.
export const handler = async (event) => {
  if (event?.['detail-type'] === 'Scheduled Event') {
    console.log(`tick at ${event.time} from ${event.resources[0]}`)
    return { tick: event.time }
  }
  console.log(`weekday report: ${JSON.stringify(event)}`)
  return { report: event }
}
