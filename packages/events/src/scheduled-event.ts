/** What EventBridge sends a rule's target when the rule has no Input: the Scheduled Event (event-reference). */
export function scheduledEvent(tick: {
  id: string
  /** When the tick fell due, ms since the epoch. */
  at: number
  region: string
  accountId: string
  ruleArn: string
}): string {
  return JSON.stringify({
    version: '0',
    id: tick.id,
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: tick.accountId,
    // RFC 3339 without milliseconds, as EventBridge writes it.
    time: new Date(Math.floor(tick.at / 1000) * 1000).toISOString().replace('.000Z', 'Z'),
    region: tick.region,
    resources: [tick.ruleArn],
    detail: {},
  })
}
