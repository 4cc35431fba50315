// Module state lives as long as the environment: warm invocations see the
// counter grow, a cold start begins again at 1.
let invocations = 0
const bornAt = new Date().toISOString()

export const handler = async () => {
  invocations += 1
  return { invocations, environmentStartedAt: bornAt }
}
