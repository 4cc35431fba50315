import { describe, expect, it } from 'vitest'
import { setup } from './helpers.js'

const ARN = 'arn:aws:lambda:us-east-1:000000000000:function:'

describe('retries after function errors', () => {
  it('runs a handler that fails twice three times, waiting the retry delays in order, then sends one success record', async () => {
    const { queue, runs, records } = await setup(
      { flaky: { handler: 'flaky.mjs' }, audit: { handler: 'recorder.mjs' } },
      { retryDelaysMs: [300, 900], functions: { flaky: { destinations: { onSuccess: 'audit' } } } },
    )
    const event = { key: 'twice', failTimes: 2 }
    const requestId = await queue.invokeAsync('flaky', event)
    await expect.poll(() => records(), { timeout: 15_000 }).toHaveLength(1)

    const times = runs('twice')
    expect(times).toHaveLength(3)
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(300)
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(900)
    const [record] = records()
    expect(record).toEqual({
      version: '1.0',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      requestContext: {
        requestId,
        functionArn: `${ARN}flaky:$LATEST`,
        condition: 'Success',
        approximateInvokeCount: 3,
      },
      requestPayload: event,
      responseContext: { statusCode: 200, executedVersion: '$LATEST' },
      responsePayload: { key: 'twice', runs: 3 },
    })
    expect(queue.asyncStats().functions.flaky).toMatchObject({ received: 1, succeeded: 1, retried: 2, depth: 0 })
  })

  it('gives up after the first run with maximumRetryAttempts 0 and sends a RetriesExhausted record', async () => {
    const { queue, runs, records, logs } = await setup(
      { flaky: { handler: 'flaky.mjs' }, audit: { handler: 'recorder.mjs' } },
      {
        retryDelaysMs: [50, 50],
        functions: { flaky: { maximumRetryAttempts: 0, destinations: { onFailure: 'audit' } } },
      },
    )
    const requestId = await queue.invokeAsync('flaky', { key: 'once', failTimes: 5 })
    await expect.poll(() => records(), { timeout: 10_000 }).toHaveLength(1)
    expect(runs('once')).toHaveLength(1)
    const [record] = records()
    expect(record).toEqual({
      version: '1.0',
      timestamp: expect.any(String),
      requestContext: {
        requestId,
        functionArn: `${ARN}flaky:$LATEST`,
        condition: 'RetriesExhausted',
        approximateInvokeCount: 1,
      },
      requestPayload: { key: 'once', failTimes: 5 },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'TypeError', errorMessage: 'run 1 fails', trace: expect.any(Array) },
    })
    expect(queue.asyncStats().functions.flaky!.dropped.RetriesExhausted).toBe(1)
    expect(logs).toContainEqual(
      expect.objectContaining({ level: 'error', requestId, message: expect.stringContaining('RetriesExhausted') }),
    )
  })

  it('does not schedule a retry that would carry the event past its maximum age, and records EventAgeExceeded', async () => {
    const { queue, runs, records } = await setup(
      { flaky: { handler: 'flaky.mjs' }, audit: { handler: 'recorder.mjs' } },
      {
        retryDelaysMs: [61_000, 61_000],
        functions: { flaky: { maximumEventAgeInSeconds: 60, destinations: { onFailure: 'audit' } } },
      },
    )
    const requestId = await queue.invokeAsync('flaky', { key: 'aged', failTimes: 5 })
    await expect.poll(() => records(), { timeout: 10_000 }).toHaveLength(1)
    expect(runs('aged')).toHaveLength(1)
    expect(records()[0]).toMatchObject({
      requestContext: { requestId, condition: 'EventAgeExceeded', approximateInvokeCount: 1 },
      responseContext: { functionError: 'Unhandled' },
    })
    expect(queue.asyncStats().functions.flaky!.dropped.EventAgeExceeded).toBe(1)
  })

  it('counts and logs a dropped event of a function without an onFailure destination', async () => {
    const { queue, logs } = await setup({ flaky: { handler: 'flaky.mjs' } }, { retryDelaysMs: [20, 20] })
    const requestId = await queue.invokeAsync('flaky', { key: 'lost', failTimes: 9 })
    await expect.poll(() => queue.asyncStats().functions.flaky!.dropped.RetriesExhausted, { timeout: 10_000 }).toBe(1)
    expect(logs).toContainEqual(
      expect.objectContaining({
        requestId,
        errorType: 'TypeError',
        message: expect.stringContaining('no onFailure destination'),
      }),
    )
    expect(queue.asyncStats().functions.flaky).toMatchObject({ retried: 2, depth: 0 })
  })
})
