import {
  ErrorType,
  MAX_ASYNC_PAYLOAD_BYTES,
  MAX_PAYLOAD_BYTES,
  serviceError,
  TAIL_LOG_BYTES,
} from '@lambdalet/protocol'
import { describe, expect, it } from 'vitest'
import { fakeAsyncInvoker } from '../test/fake-async-invoker.js'
import { fakeInvoker, jsonBody, streamedBody } from '../test/fake-invoker.js'
import { createGateway } from './create-gateway.js'
import { createLifecycle } from './lifecycle.js'
import type { GatewayLogRecord } from './logger.js'

/** `name` may carry a query string: `hello?Qualifier=1`. */
function invokePath(name: string): string {
  const [fn, query] = name.split('?')
  return `/2015-03-31/functions/${fn}/invocations${query === undefined ? '' : `?${query}`}`
}

function setup(functionNames?: string[]) {
  const invoker = fakeInvoker(functionNames)
  const lifecycle = createLifecycle()
  const logs: GatewayLogRecord[] = []
  const events = fakeAsyncInvoker()
  const app = createGateway(invoker, { lifecycle, events, logger: (record) => logs.push(record) })
  const invoke = (name: string, init: RequestInit = {}) =>
    app.request(invokePath(name), { method: 'POST', body: '{"a":1}', ...init })
  return { app, invoker, events, lifecycle, logs, invoke }
}

describe('RequestResponse invocations', () => {
  it('answers 200 with the payload and Lambda’s headers', async () => {
    const { invoker, invoke } = setup()
    invoker.respond(() => ({ payload: '{"ok":true}' }))
    const res = await invoke('hello')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/json')
    expect(res.headers.get('x-amz-executed-version')).toBe('$LATEST')
    expect(res.headers.get('x-amz-function-error')).toBeNull()
    expect(res.headers.get('x-amzn-requestid')).toBe(invoker.calls[0]?.options?.requestId)
    expect(await res.text()).toBe('{"ok":true}')
  })

  it('passes the body to the invoker as it arrived, without re-encoding it', async () => {
    const { invoker, invoke } = setup()
    await invoke('hello', { body: ' { "a" : 1 } ' })
    expect(invoker.calls[0]?.payload).toBe(' { "a" : 1 } ')
  })

  it('sends an empty body as an empty JSON object', async () => {
    const { invoker, invoke } = setup()
    await invoke('hello', { body: '' })
    await invoke('hello', { body: null })
    expect(invoker.calls.map((call) => call.payload)).toEqual(['{}', '{}'])
  })

  it('reports a function error with status 200, X-Amz-Function-Error and the error body', async () => {
    const { invoker, invoke } = setup()
    const error = { errorType: 'TypeError', errorMessage: 'x is not a function', trace: ['TypeError: x'] }
    invoker.respond(() => ({ payload: JSON.stringify(error), functionError: true, errorType: 'TypeError' }))
    const res = await invoke('hello')
    expect(res.status).toBe(200)
    expect(res.headers.get('x-amz-function-error')).toBe('Unhandled')
    expect(await res.json()).toEqual(error)
  })

  it('returns the tail of the log base64-encoded when X-Amz-Log-Type is Tail', async () => {
    const { invoker, invoke } = setup()
    invoker.respond(() => ({ logResult: 'START RequestId: 1\nhi\n' }))
    const res = await invoke('hello', { headers: { 'X-Amz-Log-Type': 'Tail' } })
    expect(invoker.calls[0]?.options?.logType).toBe('Tail')
    const header = res.headers.get('x-amz-log-result')
    expect(Buffer.from(header ?? '', 'base64').toString()).toBe('START RequestId: 1\nhi\n')
  })

  it('keeps only the last 4 KB of a longer log', async () => {
    const { invoker, invoke } = setup()
    invoker.respond(() => ({ logResult: `${'x'.repeat(10_000)}the end` }))
    const res = await invoke('hello', { headers: { 'X-Amz-Log-Type': 'Tail' } })
    const log = Buffer.from(res.headers.get('x-amz-log-result') ?? '', 'base64')
    expect(log.length).toBe(TAIL_LOG_BYTES)
    expect(log.toString().endsWith('the end')).toBe(true)
  })

  it('does not ask for the log unless X-Amz-Log-Type is Tail', async () => {
    const { invoker, invoke } = setup()
    await invoke('hello', { headers: { 'X-Amz-Log-Type': 'None' } })
    expect(invoker.calls[0]?.options?.logType).toBeUndefined()
  })

  it('rejects an unknown log type with 400 InvalidParameterValueException', async () => {
    const { invoker, invoke } = setup()
    const res = await invoke('hello', { headers: { 'X-Amz-Log-Type': 'Full' } })
    expect(res.status).toBe(400)
    expect(res.headers.get('x-amzn-errortype')).toBe(ErrorType.InvalidParameterValue)
    expect(invoker.calls).toHaveLength(0)
  })
})

describe('service errors', () => {
  it('answers ResourceNotFoundException with 404 in the shape the AWS SDK parses', async () => {
    const { invoker, invoke } = setup()
    invoker.respond(() => {
      throw serviceError(
        ErrorType.ResourceNotFound,
        'Function not found: arn:aws:lambda:us-east-1:000000000000:function:hello',
      )
    })
    const res = await invoke('hello')
    expect(res.status).toBe(404)
    expect(res.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException')
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/)
    expect(await res.json()).toEqual({
      Type: 'User',
      message: 'Function not found: arn:aws:lambda:us-east-1:000000000000:function:hello',
    })
  })

  it('answers a throttle with 429, Retry-After and the Reason', async () => {
    const { invoker, invoke } = setup()
    invoker.respond(() => {
      throw serviceError(ErrorType.TooManyRequests, 'Rate Exceeded.', {
        reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
      })
    })
    const res = await invoke('hello')
    expect(res.status).toBe(429)
    expect(res.headers.get('x-amzn-errortype')).toBe('TooManyRequestsException')
    expect(res.headers.get('retry-after')).toBe('1')
    expect(await res.json()).toEqual({
      Type: 'User',
      message: 'Rate Exceeded.',
      Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
    })
  })

  it('gives a throttle without a reason Lambda’s generic one', async () => {
    const { invoker, invoke } = setup()
    invoker.respond(() => {
      throw serviceError(ErrorType.TooManyRequests, 'Rate Exceeded.')
    })
    const res = await invoke('hello')
    expect((await jsonBody(res)).Reason).toBe('ConcurrentInvocationLimitExceeded')
  })

  it('answers invalid JSON reported by the host with 400 InvalidRequestContentException', async () => {
    const { invoker, invoke } = setup()
    invoker.respond(() => {
      throw serviceError(ErrorType.InvalidRequestContent, 'Could not parse request body into json')
    })
    const res = await invoke('hello', { body: '{nope' })
    expect(res.status).toBe(400)
    expect(res.headers.get('x-amzn-errortype')).toBe('InvalidRequestContentException')
  })

  it.each([
    ['RequestResponse', 'RequestResponse'],
    ['Event', 'Event'],
  ])('answers a %s payload that is not valid UTF-8 with 400 InvalidRequestContentException', async (_, type) => {
    const { invoker, events, invoke } = setup()
    // "é" as Latin-1: 0xe9 starts a UTF-8 sequence that never comes.
    const res = await invoke('hello', {
      body: new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xe9, 0x22, 0x7d]),
      headers: { 'X-Amz-Invocation-Type': type },
    })
    expect(res.status).toBe(400)
    expect(res.headers.get('x-amzn-errortype')).toBe('InvalidRequestContentException')
    expect((await jsonBody(res)).message).toMatch(/not valid UTF-8/)
    expect(invoker.calls).toHaveLength(0)
    expect(events.accepted).toHaveLength(0)
  })

  it('marks a host shutting down as a Service error with 503', async () => {
    const { invoker, invoke } = setup()
    invoker.respond(() => {
      throw serviceError(ErrorType.ServiceUnavailable, 'The host is closing')
    })
    const res = await invoke('hello')
    expect(res.status).toBe(503)
    expect(await res.json()).toEqual({ Type: 'Service', message: 'The host is closing' })
  })

  it('answers an unexpected invoker failure with 500 ServiceException and logs it', async () => {
    const { invoker, invoke, logs } = setup()
    invoker.respond(() => {
      throw new Error('bug')
    })
    const res = await invoke('hello')
    expect(res.status).toBe(500)
    expect(res.headers.get('x-amzn-errortype')).toBe('ServiceException')
    expect(res.headers.get('x-amzn-requestid')).not.toBeNull()
    expect(logs).toEqual([expect.objectContaining({ level: 'error', errorMessage: 'bug' })])
  })
})

describe('invocation types', () => {
  it('answers Event with 202 and an empty body once the event queue has stored it, without invoking', async () => {
    const { invoker, events, invoke } = setup()
    const res = await invoke('hello', { headers: { 'X-Amz-Invocation-Type': 'Event' } })
    expect(res.status).toBe(202)
    expect(await res.text()).toBe('')
    expect(events.accepted).toEqual([
      { name: 'hello', payload: '{"a":1}', requestId: res.headers.get('x-amzn-requestid') },
    ])
    expect(invoker.calls).toHaveLength(0)
  })

  it("answers a refused Event with the queue's error and status, never 202", async () => {
    const { events, invoke, logs } = setup()
    events.refuse(
      serviceError(ErrorType.TooManyRequests, 'The asynchronous event queue is full', {
        reason: 'AsyncEventQueueFull',
      }),
    )
    const full = await invoke('hello', { headers: { 'X-Amz-Invocation-Type': 'Event' } })
    expect(full.status).toBe(429)
    expect(full.headers.get('x-amzn-errortype')).toBe('TooManyRequestsException')
    expect(await full.json()).toMatchObject({ Reason: 'AsyncEventQueueFull' })
    events.refuse(serviceError(ErrorType.ServiceUnavailable, 'The event was not stored: disk full'))
    const broken = await invoke('hello', { headers: { 'X-Amz-Invocation-Type': 'Event' } })
    expect(broken.status).toBe(503)
    expect(logs).toEqual([
      expect.objectContaining({ level: 'error', functionName: 'hello', errorType: 'ServiceException' }),
    ])
  })

  it('refuses Event invocations when no event queue was given', async () => {
    const app = createGateway(fakeInvoker(), { logger: () => {} })
    const res = await app.request(invokePath('hello'), {
      method: 'POST',
      headers: { 'X-Amz-Invocation-Type': 'Event' },
    })
    expect(res.status).toBe(400)
    expect(res.headers.get('x-amzn-errortype')).toBe('InvalidParameterValueException')
  })

  it('answers an Event for an unknown function with 404', async () => {
    const { invoker, invoke } = setup()
    const res = await invoke('missing', { headers: { 'X-Amz-Invocation-Type': 'Event' } })
    expect(res.status).toBe(404)
    expect((await jsonBody(res)).message).toBe(
      'Function not found: arn:aws:lambda:us-east-1:000000000000:function:missing',
    )
    expect(invoker.calls).toHaveLength(0)
  })

  it('answers DryRun with 204 for a known function and 404 otherwise, without invoking', async () => {
    const { invoker, invoke } = setup()
    const known = await invoke('hello', { headers: { 'X-Amz-Invocation-Type': 'DryRun' } })
    const unknown = await invoke('missing', { headers: { 'X-Amz-Invocation-Type': 'DryRun' } })
    expect(known.status).toBe(204)
    expect(unknown.status).toBe(404)
    expect(unknown.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException')
    expect(invoker.calls).toHaveLength(0)
  })

  it('rejects any other invocation type with 400 InvalidParameterValueException', async () => {
    const { invoker, invoke } = setup()
    const res = await invoke('hello', { headers: { 'X-Amz-Invocation-Type': 'event' } })
    expect(res.status).toBe(400)
    expect(res.headers.get('x-amzn-errortype')).toBe('InvalidParameterValueException')
    expect((await jsonBody(res)).Type).toBe('User')
    expect(invoker.calls).toHaveLength(0)
  })
})

describe('payload size', () => {
  const tooLarge = async (res: Response) => {
    expect(res.status).toBe(413)
    expect(res.headers.get('x-amzn-errortype')).toBe('RequestTooLargeException')
    expect(res.headers.get('x-amzn-requestid')).not.toBeNull()
    // The unread rest of the body makes the connection unusable for a next request.
    expect(res.headers.get('connection')).toBe('close')
  }

  it('rejects a body declared larger than 6 MB by its Content-Length', async () => {
    const { invoker, invoke } = setup()
    await tooLarge(await invoke('hello', { body: '{}', headers: { 'content-length': String(MAX_PAYLOAD_BYTES + 1) } }))
    expect(invoker.calls).toHaveLength(0)
  })

  it('stops reading a streamed body without Content-Length once it passes 6 MB', async () => {
    const { invoker, invoke } = setup()
    const stream = streamedBody(MAX_PAYLOAD_BYTES * 2)
    await tooLarge(await invoke('hello', { body: stream.body, duplex: 'half' } as RequestInit))
    expect(stream.pulled()).toBeLessThan(MAX_PAYLOAD_BYTES * 2)
    expect(invoker.calls).toHaveLength(0)
  })

  it('accepts a streamed 2 MB body for RequestResponse but not for Event', async () => {
    const { invoker, invoke } = setup()
    const size = 2 * MAX_ASYNC_PAYLOAD_BYTES
    const sync = await invoke('hello', { body: streamedBody(size).body, duplex: 'half' } as RequestInit)
    expect(sync.status).toBe(200)
    expect(invoker.calls[0]?.payload).toHaveLength(size)

    const event = await invoke('hello', {
      body: streamedBody(size).body,
      duplex: 'half',
      headers: { 'X-Amz-Invocation-Type': 'Event' },
    } as RequestInit)
    await tooLarge(event)
    expect(invoker.calls).toHaveLength(1)
  })

  it('rejects an Event declared larger than 1 MB by its Content-Length', async () => {
    const { invoke } = setup()
    await tooLarge(
      await invoke('hello', {
        headers: { 'X-Amz-Invocation-Type': 'Event', 'content-length': String(MAX_ASYNC_PAYLOAD_BYTES + 1) },
      }),
    )
  })
})

describe('function names', () => {
  it.each([
    ['a full ARN', 'arn:aws:lambda:us-east-1:000000000000:function:hello'],
    ['a full ARN with $LATEST', 'arn:aws:lambda:us-east-1:000000000000:function:hello:$LATEST'],
    ['a URL-encoded ARN', encodeURIComponent('arn:aws:lambda:us-east-1:000000000000:function:hello')],
    ['a partial ARN', '000000000000:function:hello'],
    ['a name with $LATEST', 'hello:$LATEST'],
  ])('accepts %s', async (_, name) => {
    const { invoker, invoke } = setup()
    const res = await invoke(name)
    expect(res.status).toBe(200)
    expect(invoker.calls[0]?.name).toBe('hello')
  })

  it('accepts ?Qualifier=$LATEST and answers 404 for any other qualifier', async () => {
    const { invoker, invoke } = setup()
    expect((await invoke('hello?Qualifier=%24LATEST')).status).toBe(200)
    const version = await invoke('hello?Qualifier=1')
    const alias = await invoke('hello:prod')
    for (const res of [version, alias]) {
      expect(res.status).toBe(404)
      expect(res.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException')
    }
    expect((await jsonBody(alias)).message).toBe(
      'Function not found: arn:aws:lambda:us-east-1:000000000000:function:hello:prod',
    )
    expect(invoker.calls).toHaveLength(1)
  })

  it('answers 404 for an ARN of another region, as Lambda does', async () => {
    const { invoker, invoke } = setup()
    const region = await invoke('arn:aws:lambda:eu-west-1:000000000000:function:hello')
    expect(region.status).toBe(404)
    expect((await jsonBody(region)).message).toBe(
      "Functions from 'eu-west-1' are not reachable in this region ('us-east-1')",
    )
    expect(invoker.calls).toHaveLength(0)
  })

  it('reaches the function through an ARN of any account when no account id was configured', async () => {
    const { invoker, invoke } = setup()
    const full = await invoke('arn:aws:lambda:us-east-1:123456789012:function:hello')
    const partial = await invoke('123456789012:function:hello')
    expect([full.status, partial.status]).toEqual([200, 200])
    expect(invoker.calls.map((call) => call.name)).toEqual(['hello', 'hello'])
  })

  it('answers 404 for an ARN of another account when the account id was configured', async () => {
    const invoker = fakeInvoker()
    const app = createGateway(invoker, { accountId: '111122223333', logger: () => {} })
    const account = await app.request(invokePath('123456789012:function:hello'), { method: 'POST', body: '{}' })
    expect(account.status).toBe(404)
    expect(account.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException')
    expect((await jsonBody(account)).message).toBe(
      'Function not found: arn:aws:lambda:us-east-1:123456789012:function:hello',
    )
    const own = await app.request(invokePath('111122223333:function:hello'), { method: 'POST', body: '{}' })
    expect(own.status).toBe(200)
    expect(invoker.calls).toHaveLength(1)
  })

  it.each([
    ['an empty qualifier', 'hello?Qualifier='],
    ['a NUL in the qualifier', 'hello?Qualifier=%00'],
  ])('answers 400 for %s', async (_, path) => {
    const { invoker, invoke } = setup()
    const res = await invoke(path)
    expect(res.status).toBe(400)
    expect(res.headers.get('x-amzn-errortype')).toBe('InvalidParameterValueException')
    expect(invoker.calls).toHaveLength(0)
  })

  it('rejects a qualifier in the name that contradicts ?Qualifier=', async () => {
    const { invoker, invoke } = setup()
    const res = await invoke('hello:$LATEST?Qualifier=prod')
    expect(res.status).toBe(400)
    expect(invoker.calls).toHaveLength(0)
  })

  it.each([
    ['an encoded path traversal', '..%2F..%2Fetc%2Fpasswd'],
    ['a NUL byte', 'hel%00lo'],
    ['a control character', 'hel%0Alo'],
    ['65 characters', 'a'.repeat(65)],
    ['a space', 'hel%20lo'],
    ['broken percent-encoding', 'hel%E0%A4%Alo'],
    ['an ARN with a short account id', 'arn:aws:lambda:us-east-1:1234:function:hello'],
    ['an ARN of another service', 'arn:aws:s3:us-east-1:123456789012:function:hello'],
  ])('answers 400 for %s without invoking anything', async (_, name) => {
    const { invoker, invoke } = setup()
    const res = await invoke(name)
    expect(res.status).toBe(400)
    expect(res.headers.get('x-amzn-errortype')).toBe('InvalidParameterValueException')
    expect(invoker.calls).toHaveLength(0)
  })

  it('never lets an encoded dot-dot segment reach the invoker', async () => {
    const { invoker, app } = setup()
    const res = await app.request('/2015-03-31/functions/%2e%2e/invocations', { method: 'POST' })
    expect(res.status).toBe(404)
    expect(invoker.calls).toHaveLength(0)
  })
})

describe('client context', () => {
  const encode = (value: string): string => Buffer.from(value).toString('base64')

  it('decodes X-Amz-Client-Context and hands it to the invoker', async () => {
    const { invoker, invoke } = setup()
    const context = { client: { app_title: 'demo' }, custom: { tenant: 't1' }, env: {} }
    const res = await invoke('hello', { headers: { 'X-Amz-Client-Context': encode(JSON.stringify(context)) } })
    expect(res.status).toBe(200)
    expect(invoker.calls[0]?.options?.clientContext).toEqual(context)
  })

  it.each([
    ['not base64', 'not base64!'],
    ['base64 of something that is not JSON', encode('hello')],
    ['base64 of a JSON array', encode('[1,2]')],
  ])('answers 400 InvalidRequestContentException for %s', async (_, header) => {
    const { invoker, invoke } = setup()
    const res = await invoke('hello', { headers: { 'X-Amz-Client-Context': header } })
    expect(res.status).toBe(400)
    expect(res.headers.get('x-amzn-errortype')).toBe('InvalidRequestContentException')
    expect(invoker.calls).toHaveLength(0)
  })

  it('answers 400 InvalidParameterValueException for a client context over 3,583 bytes', async () => {
    const { invoker, invoke } = setup()
    const header = encode(JSON.stringify({ custom: { padding: 'x'.repeat(2700) } }))
    expect(header.length).toBeGreaterThan(3583)
    const res = await invoke('hello', { headers: { 'X-Amz-Client-Context': header } })
    expect(res.status).toBe(400)
    expect(res.headers.get('x-amzn-errortype')).toBe('InvalidParameterValueException')
    expect(invoker.calls).toHaveLength(0)
  })
})
