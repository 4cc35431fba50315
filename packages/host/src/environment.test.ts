import type { ErrorShape, HostMessage } from '@lambdalet/protocol'
import { describe, expect, it } from 'vitest'
import { Environment, type EnvironmentState } from './environment.js'
import { Invocation } from './invocation.js'
import type { EnvironmentOutcome } from './outcome.js'
import type { TransportEvents, TransportFactory } from './transport.js'

/** A transport the test drives by hand: no thread, no Piscina. */
function fakeTransport() {
  const sent: HostMessage[] = []
  let events: TransportEvents | undefined
  let destroyed = 0
  const factory: TransportFactory = {
    start(given) {
      events = given
      return {
        send: (message) => void sent.push(message),
        destroy: () => {
          destroyed++
          return true
        },
      }
    },
    close: async () => {},
  }
  return { factory, sent, events: () => events!, destroyed: () => destroyed }
}

function environment(transport: ReturnType<typeof fakeTransport>) {
  const seen: string[] = []
  const env = new Environment({
    transports: transport.factory,
    timeoutMs: 60_000,
    initTimeoutMs: 60_000,
    idleTimeoutMs: 60_000,
    events: {
      idle: (_, answered) => void seen.push(`idle ${answered?.requestId ?? 'init'}`),
      log: () => {},
      idleTimeout: () => {},
      dead: (_, exiting) => void seen.push(`dead ${exiting ? 'exiting' : 'gone'}`),
      exited: () => void seen.push('exited'),
    },
  })
  return { env, seen }
}

const invocation = (requestId: string) =>
  new Invocation(
    requestId,
    '{}',
    {},
    () => {},
    () => {},
  )
const heap = { heapUsedBytes: 1 }
const crashError: ErrorShape = { errorType: 'Error', errorMessage: 'late', trace: [] }

describe('environment', () => {
  it('goes starting → initializing → idle ↔ busy → dead, one event at a time', async () => {
    const transport = fakeTransport()
    const { env, seen } = environment(transport)
    const states: EnvironmentState[] = [env.state]
    transport.events().started()
    states.push(env.state)
    transport.events().message({ type: 'next', initDurationMs: 1, ...heap })
    states.push(env.state)
    expect(await env.ready()).toBeNull()
    const outcome = env.invoke(invocation('r1'))
    states.push(env.state)
    expect(transport.sent).toMatchObject([{ type: 'invoke', requestId: 'r1', event: '{}' }])
    transport.events().message({ type: 'response', requestId: 'r1', body: '"ok"', durationMs: 0.5, ...heap })
    states.push(env.state)
    expect(await outcome).toEqual({ kind: 'response', body: '"ok"', durationMs: 0.5 })
    env.destroy()
    states.push(env.state)
    transport.events().exited()
    expect(states).toEqual(['starting', 'initializing', 'idle', 'busy', 'idle', 'dead'])
    expect(seen).toEqual(['idle init', 'idle r1', 'dead exiting', 'exited'])
    expect(transport.destroyed()).toBe(1)
  })

  it('tells a crash left by the previous invocation from one of the event it holds', async () => {
    const transport = fakeTransport()
    const { env } = environment(transport)
    transport.events().started()
    transport.events().message({ type: 'next', initDurationMs: 1, ...heap })
    const outcome = env.invoke(invocation('r2'))
    transport.events().message({ type: 'crash', requestId: null, error: crashError })
    expect(await outcome).toEqual({ kind: 'undelivered', error: crashError })
    expect(env.state).toBe('dead')
  })

  it('reports an init failure through ready(), and ignores the runtime after its death', async () => {
    const transport = fakeTransport()
    const { env, seen } = environment(transport)
    transport.events().started()
    transport.events().message({ type: 'init-error', error: crashError, initDurationMs: 1 })
    expect(await env.ready()).toEqual(crashError)
    expect(env.startError).toEqual(crashError)
    transport.events().message({ type: 'next', initDurationMs: 1, ...heap })
    transport.events().ended({ errorType: 'Runtime.ExitError', errorMessage: 'x', trace: [] })
    expect(env.state).toBe('dead')
    expect(seen).toEqual(['dead exiting'])
  })

  it('prefixes an exit with the request id of the invocation it ends', async () => {
    const transport = fakeTransport()
    const { env } = environment(transport)
    transport.events().started()
    transport.events().message({ type: 'next', initDurationMs: 1, ...heap })
    const outcome: Promise<EnvironmentOutcome> = env.invoke(invocation('r3'))
    transport
      .events()
      .ended({ errorType: 'Runtime.ExitError', errorMessage: 'Error: Runtime exited with error: boom', trace: [] })
    expect(await outcome).toEqual({
      kind: 'crash',
      error: {
        errorType: 'Runtime.ExitError',
        errorMessage: 'RequestId: r3 Error: Runtime exited with error: boom',
        trace: [],
      },
    })
  })

  it('refuses an event while it is not idle', () => {
    const transport = fakeTransport()
    const { env } = environment(transport)
    return expect(env.invoke(invocation('r4'))).rejects.toThrow('An environment cannot go from starting to busy')
  })
})
