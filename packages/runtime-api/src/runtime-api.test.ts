import { request } from 'node:http'
import type { ErrorShape, InvokeMessage } from '@lambdalet/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { listenRuntimeApi, type RuntimeApiServer } from './listen.js'
import { createRuntimeApi, type RuntimeApi } from './runtime-api.js'

type Reported =
  | { kind: 'next' }
  | { kind: 'response'; requestId: string; body: string }
  | { kind: 'error'; requestId: string; error: ErrorShape }
  | { kind: 'init-error'; error: ErrorShape }
  | { kind: 'stream-start'; requestId: string; contentType: string }
  | { kind: 'stream-chunk'; requestId: string; text: string }
  | { kind: 'stream-end'; requestId: string }

const servers: RuntimeApiServer[] = []
afterEach(() => {
  for (const server of servers.splice(0)) server.close()
})

/** One environment's Runtime API on a real port, recording what the runtime reports. */
async function start(): Promise<{ api: RuntimeApi; base: string; reported: Reported[] }> {
  const reported: Reported[] = []
  const api = createRuntimeApi({
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:fn',
    events: {
      next: () => reported.push({ kind: 'next' }),
      response: (requestId, body) => reported.push({ kind: 'response', requestId, body }),
      error: (requestId, error) => reported.push({ kind: 'error', requestId, error }),
      initError: (error) => reported.push({ kind: 'init-error', error }),
      streamStart: (requestId, contentType) => reported.push({ kind: 'stream-start', requestId, contentType }),
      streamChunk: (requestId, chunk) =>
        reported.push({ kind: 'stream-chunk', requestId, text: Buffer.from(chunk).toString() }),
      streamEnd: (requestId) => reported.push({ kind: 'stream-end', requestId }),
    },
  })
  const server = await listenRuntimeApi(api.app)
  servers.push(server)
  return { api, base: `http://${server.address}/2018-06-01/runtime`, reported }
}

function event(requestId: string, extra: Partial<InvokeMessage> = {}): InvokeMessage {
  return { type: 'invoke', requestId, deadlineMs: Date.now() + 3000, event: '{"n":1}', ...extra }
}

/** Starts a `/next` and waits until the API has it waiting. */
async function waitingNext(api: RuntimeApi, base: string): Promise<{ response: Promise<Response> }> {
  const response = fetch(`${base}/invocation/next`)
  await until(() => api.waiting)
  return { response }
}

async function takeEvent(api: RuntimeApi, base: string, requestId: string): Promise<Response> {
  api.deliver(event(requestId))
  return fetch(`${base}/invocation/next`)
}

function post(url: string, body: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', body, headers: { 'Content-Type': 'application/json', ...headers } })
}

function until(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const check = () => {
      if (predicate()) return resolve()
      if (Date.now() - started > timeoutMs) return reject(new Error('condition not met in time'))
      setTimeout(check, 5)
    }
    check()
  })
}

describe('GET /invocation/next', () => {
  it('waits until an event is handed over, then answers with it and every header, Content-Type included', async () => {
    const { api, base, reported } = await start()
    const next = await waitingNext(api, base)
    expect(reported).toEqual([{ kind: 'next' }])
    api.deliver(
      event('req-1', {
        deadlineMs: 1_900_000_000_000,
        traceId: 'Root=1-abc',
        clientContext: { custom: { k: 'v' } },
        identity: { cognitoIdentityId: 'id', cognitoIdentityPoolId: 'pool' },
      }),
    )
    const response = await next.response
    expect(response.status).toBe(200)
    expect(Object.fromEntries(response.headers)).toMatchObject({
      'content-type': 'application/json',
      'lambda-runtime-aws-request-id': 'req-1',
      'lambda-runtime-deadline-ms': '1900000000000',
      'lambda-runtime-invoked-function-arn': 'arn:aws:lambda:us-east-1:000000000000:function:fn',
      'lambda-runtime-trace-id': 'Root=1-abc',
      'lambda-runtime-client-context': '{"custom":{"k":"v"}}',
      'lambda-runtime-cognito-identity': '{"cognitoIdentityId":"id","cognitoIdentityPoolId":"pool"}',
    })
    expect(await response.text()).toBe('{"n":1}')
    expect(api.current).toBe('req-1')
  })

  it('answers at once with an event handed over before it asked, with a trace id of its own', async () => {
    const { api, base } = await start()
    const response = await takeEvent(api, base, 'req-1')
    expect(response.headers.get('lambda-runtime-trace-id')).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=/)
    expect(response.headers.has('lambda-runtime-client-context')).toBe(false)
  })

  it('drops a waiting /next whose socket closed, and hands the event to the next one', async () => {
    const { api, base, reported } = await start()
    const dead = request(`${base}/invocation/next`)
    dead.on('error', () => {})
    dead.end()
    await until(() => api.waiting)
    dead.destroy()
    await until(() => !api.waiting)
    api.deliver(event('req-1'))
    expect(api.undelivered).toBe('req-1')
    const response = await fetch(`${base}/invocation/next`)
    expect(response.headers.get('lambda-runtime-aws-request-id')).toBe('req-1')
    expect(reported.filter((r) => r.kind === 'next')).toHaveLength(2)
  })

  it('refuses a /next while it holds an unanswered event (403), and the event can still be answered', async () => {
    const { api, base, reported } = await start()
    await takeEvent(api, base, 'req-1')
    const again = await fetch(`${base}/invocation/next`)
    expect(again.status).toBe(403)
    expect(await again.json()).toMatchObject({ errorType: 'InvalidStateTransition' })
    expect((await post(`${base}/invocation/req-1/response`, '"ok"')).status).toBe(202)
    expect(reported.at(-1)).toEqual({ kind: 'response', requestId: 'req-1', body: '"ok"' })
  })
})

describe('POST /invocation/{id}/response', () => {
  it('accepts the answer with 202 and reports its body as it came, whatever its Content-Type', async () => {
    const { api, base, reported } = await start()
    await takeEvent(api, base, 'req-1')
    const response = await post(`${base}/invocation/req-1/response`, 'Echoing request: hi', {
      'Content-Type': 'application/x-www-form-urlencoded',
    })
    expect(response.status).toBe(202)
    expect(await response.json()).toEqual({ status: 'OK' })
    expect(reported.at(-1)).toEqual({ kind: 'response', requestId: 'req-1', body: 'Echoing request: hi' })
    expect(api.current).toBeNull()
  })

  it('refuses an unknown request id with 400 InvalidRequestID and keeps waiting for the real answer', async () => {
    const { api, base, reported } = await start()
    await takeEvent(api, base, 'req-1')
    const wrong = await post(`${base}/invocation/nope/response`, '"x"')
    expect(wrong.status).toBe(400)
    expect(await wrong.json()).toEqual({ errorType: 'InvalidRequestID', errorMessage: 'Invalid request ID' })
    expect(reported.some((r) => r.kind === 'response')).toBe(false)
    expect(api.current).toBe('req-1')
    expect((await post(`${base}/invocation/req-1/response`, '"real"')).status).toBe(202)
    expect(reported.at(-1)).toEqual({ kind: 'response', requestId: 'req-1', body: '"real"' })
  })

  it('refuses a second answer to the same event with 403 InvalidStateTransition, and the next event is unaffected', async () => {
    const { api, base, reported } = await start()
    await takeEvent(api, base, 'req-1')
    await post(`${base}/invocation/req-1/response`, '"first"')
    const stale = await post(`${base}/invocation/req-1/response`, '"second"')
    expect(stale.status).toBe(403)
    expect(await stale.json()).toMatchObject({ errorType: 'InvalidStateTransition' })
    const staleError = await post(`${base}/invocation/req-1/error`, '{"errorType":"X","errorMessage":"late"}')
    expect(staleError.status).toBe(403)
    await takeEvent(api, base, 'req-2')
    expect((await post(`${base}/invocation/req-2/response`, '"two"')).status).toBe(202)
    expect(reported.filter((r) => r.kind !== 'next')).toEqual([
      { kind: 'response', requestId: 'req-1', body: '"first"' },
      { kind: 'response', requestId: 'req-2', body: '"two"' },
    ])
  })

  it('answers 413 RequestEntityTooLarge over 6 MB, and the invocation fails with Function.ResponseSizeTooLarge', async () => {
    const { api, base, reported } = await start()
    await takeEvent(api, base, 'req-1')
    const response = await post(`${base}/invocation/req-1/response`, 'x'.repeat(6 * 1024 * 1024 + 1))
    expect(response.status).toBe(413)
    expect(await response.json()).toMatchObject({ errorType: 'RequestEntityTooLarge' })
    expect(reported.at(-1)).toMatchObject({
      kind: 'error',
      requestId: 'req-1',
      error: { errorType: 'Function.ResponseSizeTooLarge' },
    })
    // The environment goes on: its next event is served as usual.
    await takeEvent(api, base, 'req-2')
    expect((await post(`${base}/invocation/req-2/response`, 'x'.repeat(6 * 1024 * 1024))).status).toBe(202)
  })

  it('answers 413 to a chunked body once it passes 6 MB, without a Content-Length to go by', async () => {
    const { api, base, reported } = await start()
    await takeEvent(api, base, 'req-1')
    const chunk = new Uint8Array(1024 * 1024).fill(120)
    let sent = 0
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        // Seven 1 MB chunks: over the limit by the seventh.
        if (sent++ < 7) controller.enqueue(chunk)
        else controller.close()
      },
    })
    const response = await fetch(`${base}/invocation/req-1/response`, {
      method: 'POST',
      body,
      duplex: 'half',
    } as RequestInit)
    expect(response.status).toBe(413)
    expect(reported.at(-1)).toMatchObject({ kind: 'error', error: { errorType: 'Function.ResponseSizeTooLarge' } })
  })

  it('refuses an unknown response mode with 400 InvalidFunctionResponseMode and fails the invocation at once', async () => {
    const { api, base, reported } = await start()
    await takeEvent(api, base, 'req-1')
    const response = await post(`${base}/invocation/req-1/response`, 'chunk', {
      'Lambda-Runtime-Function-Response-Mode': 'sideways',
    })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ errorType: 'InvalidFunctionResponseMode' })
    expect(reported.at(-1)).toMatchObject({
      kind: 'error',
      requestId: 'req-1',
      error: { errorType: 'Runtime.InvalidFunctionResponseMode' },
    })
  })
})

/** A streaming `/response` as the official client makes it: chunked, with its error trailers declared. */
function streamingResponse(base: string, requestId: string) {
  const req = request(`${base}/invocation/${requestId}/response`, {
    method: 'POST',
    headers: {
      'Content-Type': 'text/plain',
      'Lambda-Runtime-Function-Response-Mode': 'streaming',
      'Transfer-Encoding': 'chunked',
      Trailer: ['Lambda-Runtime-Function-Error-Type', 'Lambda-Runtime-Function-Error-Body'],
    },
  })
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('error', reject)
    req.on('response', (res) => {
      let body = ''
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString()
      })
      res.on('end', () => resolve({ status: res.statusCode!, body }))
    })
  })
  return { req, answer }
}

/** Writes `total` bytes in 64 KiB blocks, waiting for 'drain' when told to, then ends the body. */
async function writeBlocks(
  req: { write(chunk: string): boolean; once(event: 'drain', listener: () => void): unknown; end(): unknown },
  total: number,
): Promise<void> {
  const block = 'x'.repeat(64 * 1024)
  for (let written = 0; written < total; written += block.length) {
    if (!req.write(block)) await new Promise<void>((resolve) => req.once('drain', resolve))
  }
  req.end()
}

/** The stream bytes the host was handed so far. */
/** Credits all of `req-1` from now on until the runtime's body is written: answered 202, every byte forwarded. */
async function creditToTheEnd(
  api: RuntimeApi,
  writing: Promise<void>,
  answer: Promise<{ status: number }>,
  received: () => number,
  total: number,
): Promise<void> {
  const timer = setInterval(() => api.credit('req-1', total), 5)
  try {
    await writing
    expect((await answer).status).toBe(202)
  } finally {
    clearInterval(timer)
  }
  expect(received()).toBe(total)
}

function streamedBytes(reported: ReadonlyArray<{ kind: string; text?: string }>): number {
  return reported.reduce((sum, r) => sum + (r.kind === 'stream-chunk' ? Buffer.byteLength(r.text ?? '') : 0), 0)
}

describe('POST /invocation/{id}/response, streaming', () => {
  it('forwards each chunk as it arrives with the content type, and reports the end of the body as the end', async () => {
    const { api, base, reported } = await start()
    await takeEvent(api, base, 'req-1')
    const { req, answer } = streamingResponse(base, 'req-1')
    req.write('one')
    await until(() => reported.some((r) => r.kind === 'stream-chunk'))
    expect(reported.slice(-2)).toEqual([
      { kind: 'stream-start', requestId: 'req-1', contentType: 'text/plain' },
      { kind: 'stream-chunk', requestId: 'req-1', text: 'one' },
    ])
    expect(api.current).toBe('req-1')
    req.write('two')
    await until(() => reported.filter((r) => r.kind === 'stream-chunk').length === 2)
    req.end()
    expect(await answer).toEqual({ status: 202, body: '{"status":"OK"}' })
    expect(reported.at(-1)).toEqual({ kind: 'stream-end', requestId: 'req-1' })
    expect(api.current).toBeNull()
  })

  it('ends the stream with the error its trailers name, the body base64', async () => {
    const { api, base, reported } = await start()
    await takeEvent(api, base, 'req-1')
    const { req, answer } = streamingResponse(base, 'req-1')
    req.write('partial ')
    await until(() => reported.some((r) => r.kind === 'stream-chunk'))
    const error = { errorType: 'RangeError', errorMessage: 'died mid-stream', trace: ['RangeError: died mid-stream'] }
    req.addTrailers({
      'Lambda-Runtime-Function-Error-Type': 'RangeError',
      'Lambda-Runtime-Function-Error-Body': Buffer.from(JSON.stringify(error)).toString('base64'),
    })
    req.end()
    expect((await answer).status).toBe(202)
    expect(reported.at(-1)).toEqual({ kind: 'error', requestId: 'req-1', error })
    expect(reported.some((r) => r.kind === 'stream-end')).toBe(false)
    expect(api.current).toBeNull()
  })

  it('stops reading the body while the host has given no credit, and reads on after credit', async () => {
    const { api, base, reported } = await start()
    await takeEvent(api, base, 'req-1')
    const { req, answer } = streamingResponse(base, 'req-1')
    const received = () => streamedBytes(reported)
    // Far more than the 16 KiB window plus what the sockets buffer.
    const total = 8 * 1024 * 1024
    const writing = writeBlocks(req, total)
    await until(() => received() >= 16 * 1024)
    // The writer is held back: the socket buffers fill and it waits for drain.
    await until(() => req.writableNeedDrain)
    const held = received()
    // The window and at most one socket read past it: not the megabytes written.
    expect(held).toBeLessThan(16 * 1024 + 128 * 1024)
    api.credit('req-1', held)
    await until(() => received() > held)
    // Credit everything from now on, so it finishes.
    await creditToTheEnd(api, writing, answer, received, total)
    expect(reported.at(-1)).toEqual({ kind: 'stream-end', requestId: 'req-1' })
  })

  it('counts credit given before the bytes came: reads that far past the window, and no further', async () => {
    const { api, base, reported } = await start()
    await takeEvent(api, base, 'req-1')
    const { req, answer } = streamingResponse(base, 'req-1')
    const received = () => streamedBytes(reported)
    const grant = 1024 * 1024
    const total = 8 * 1024 * 1024
    const writing = writeBlocks(req, total)
    await until(() => reported.some((r) => r.kind === 'stream-start'))
    // What the host does at a stream's start: a window granted ahead.
    api.credit('req-1', grant)
    await until(() => received() >= grant + 16 * 1024)
    await until(() => req.writableNeedDrain)
    // The grant, the window and at most one socket read past them.
    expect(received()).toBeLessThan(grant + 16 * 1024 + 128 * 1024)
    await creditToTheEnd(api, writing, answer, received, total)
  })
})

describe('POST /invocation/{id}/error', () => {
  it('takes the error type from the body when no header names it (what version 4 of the Node client sends)', async () => {
    const { api, base, reported } = await start()
    await takeEvent(api, base, 'req-1')
    const body = JSON.stringify({
      errorType: 'ValidationFailed',
      errorMessage: 'bad',
      trace: ['ValidationFailed: bad'],
    })
    expect((await post(`${base}/invocation/req-1/error`, body)).status).toBe(202)
    expect(reported.at(-1)).toEqual({
      kind: 'error',
      requestId: 'req-1',
      error: { errorType: 'ValidationFailed', errorMessage: 'bad', trace: ['ValidationFailed: bad'] },
    })
  })

  it('takes the type from Lambda-Runtime-Function-Error-Type when there is no body, and reads stackTrace', async () => {
    const { api, base, reported } = await start()
    await takeEvent(api, base, 'req-1')
    await post(`${base}/invocation/req-1/error`, '', { 'Lambda-Runtime-Function-Error-Type': 'Runtime.Custom' })
    await takeEvent(api, base, 'req-2')
    await post(`${base}/invocation/req-2/error`, JSON.stringify({ errorMessage: 'm', stackTrace: ['a', 'b'] }), {
      'Lambda-Runtime-Function-Error-Type': 'Function.Bad',
    })
    expect(reported.filter((r) => r.kind === 'error')).toEqual([
      { kind: 'error', requestId: 'req-1', error: { errorType: 'Runtime.Custom', errorMessage: '', trace: [] } },
      { kind: 'error', requestId: 'req-2', error: { errorType: 'Function.Bad', errorMessage: 'm', trace: ['a', 'b'] } },
    ])
  })

  it('refuses an unknown request id with 400 and reports nothing', async () => {
    const { api, base, reported } = await start()
    await takeEvent(api, base, 'req-1')
    expect((await post(`${base}/invocation/other/error`, '{}')).status).toBe(400)
    expect(reported.some((r) => r.kind === 'error')).toBe(false)
  })
})

describe('POST /init/error', () => {
  it('accepts an init error before the first /next, and refuses a /next after it', async () => {
    const { base, reported } = await start()
    const body = JSON.stringify({ errorType: 'TypeError', errorMessage: 'no config', trace: ['TypeError: no config'] })
    const response = await post(`${base}/init/error`, body, { 'Lambda-Runtime-Function-Error-Type': 'TypeError' })
    expect(response.status).toBe(202)
    expect(reported).toEqual([
      {
        kind: 'init-error',
        error: { errorType: 'TypeError', errorMessage: 'no config', trace: ['TypeError: no config'] },
      },
    ])
    expect((await fetch(`${base}/invocation/next`)).status).toBe(403)
  })

  it('refuses an init error once init is over (403)', async () => {
    const { api, base, reported } = await start()
    await takeEvent(api, base, 'req-1')
    expect((await post(`${base}/init/error`, '{}')).status).toBe(403)
    expect(reported.some((r) => r.kind === 'init-error')).toBe(false)
  })
})

it('answers an unknown route with a JSON 404', async () => {
  const { base } = await start()
  const response = await fetch(`${base}/extension/register`, { method: 'POST' })
  expect(response.status).toBe(404)
  expect(await response.json()).toMatchObject({ errorType: 'NotFound' })
})
