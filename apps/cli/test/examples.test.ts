import { fileURLToPath } from 'node:url'
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { loadProject } from '../src/config/load-project.js'
import type { RunningServer } from '../src/server/start-server.js'
import { invokePath, startTestServer } from './helpers.js'
import { sqsClient } from './sqs-helpers.js'

const examples = fileURLToPath(new URL('../../../examples/', import.meta.url))

// What `pnpm start` serves, and what the README promises about it.
describe('lambdalet serve examples/', () => {
  let server: RunningServer
  beforeAll(async () => {
    const { warnings, ...project } = await loadProject({ dir: examples })
    expect(warnings).toEqual([])
    server = await startTestServer(project)
  })
  afterAll(() => server?.close())

  const request = (path: string, init?: RequestInit): Promise<Response> => fetch(`${server.url}${path}`, init)

  it('finds the ten example functions', () => {
    expect(server.host.functionNames().sort()).toEqual([
      'api',
      'countdown',
      'counter',
      'echo',
      'heartbeat',
      'hello',
      'legacy',
      'order-worker',
      'place-order',
      'shell',
    ])
  })

  it('streams the countdown as plain text', async () => {
    const response = await request('/countdown?delayMs=0')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    expect(response.headers.get('transfer-encoding')).toBe('chunked')
    expect(await response.text()).toBe('3\n2\n1\nliftoff\n')
  })

  it('runs heartbeat on its schedule, and holds its weekday report for 09:00 UTC', async () => {
    expect(server.events.scheduleStats()['weekday-report']).toMatchObject({
      functionName: 'heartbeat',
      schedule: 'cron(0 9 ? * MON-FRI *)',
      enabled: true,
    })
    // rate(10 seconds): the first tick is 10 s after the start, an Event invocation that succeeds.
    await vi.waitFor(() => expect(server.events.stats().functions['heartbeat']?.succeeded).toBeGreaterThanOrEqual(1), {
      timeout: 30_000,
      interval: 200,
    })
    expect(server.events.scheduleStats()['heartbeat-schedule-1']).toMatchObject({
      schedule: 'rate(10 seconds)',
      failed: 0,
    })
    const report = await request(invokePath('heartbeat'), { method: 'POST', body: '{"report":"weekday"}' })
    expect(await report.json()).toEqual({ report: { report: 'weekday' } })
  })

  it('puts an order on the queue from POST /orders, and the mapped worker takes it off', async () => {
    const placed = await request('/orders', { method: 'POST', body: '{"item":"tea","quantity":2}' })
    expect(placed.status).toBe(202)
    const { messageId } = (await placed.json()) as { messageId: string }
    expect(messageId).toMatch(/^[0-9a-f-]{36}$/)
    // Sent before the 202, so the queue is empty again only once the worker succeeded.
    const sqs = sqsClient(server.url)
    await vi.waitFor(
      async () => {
        const { Attributes } = await sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: `${server.url}/000000000000/orders`, AttributeNames: ['All'] }),
        )
        expect(Attributes).toMatchObject({
          ApproximateNumberOfMessages: '0',
          ApproximateNumberOfMessagesNotVisible: '0',
        })
      },
      { timeout: 20_000, interval: 100 },
    )
    sqs.destroy()
  })

  it('answers hello on the Invoke API and on its route', async () => {
    const invoked = await request(invokePath('hello'), { method: 'POST', body: '{"name":"SDK"}' })
    expect(await invoked.json()).toMatchObject({ message: 'Hello, SDK!' })
    const routed = await request('/hello?name=curl')
    expect(await routed.json()).toMatchObject({ message: 'Hello, curl!' })
  })

  it('serves the users API with its status codes and headers', async () => {
    expect(await (await request('/api/users/1')).json()).toEqual({ id: '1', name: 'Ada' })
    expect((await request('/api/users/999')).status).toBe(404)
    expect((await request('/api/users', { method: 'POST', body: 'nope' })).status).toBe(400)
    const created = await request('/api/users', {
      method: 'POST',
      body: '{"name":"Grace"}',
      headers: { 'content-type': 'application/json' },
    })
    expect(created.status).toBe(201)
    const user = (await created.json()) as { id: string }
    expect(created.headers.get('location')).toBe(`/api/users/${user.id}`)
    const list = (await (await request('/api/users')).json()) as { users: unknown[] }
    expect(list.users).toContainEqual({ id: user.id, name: 'Grace' })
    expect((await request('/api/other')).status).toBe(404)
  })

  it('keeps the counter warm between invocations', async () => {
    const first = (await (await request('/counter')).json()) as { invocations: number; environmentStartedAt: string }
    const second = (await (await request('/counter')).json()) as { invocations: number; environmentStartedAt: string }
    expect(second.invocations).toBe(first.invocations + 1)
    expect(second.environmentStartedAt).toBe(first.environmentStartedAt)
  })

  it('echoes JSON and runs the callback-style CommonJS handler', async () => {
    const echoed = await request(invokePath('echo'), { method: 'POST', body: '{"a":[1,"ü"]}' })
    expect(await echoed.json()).toEqual({ a: [1, 'ü'] })
    const legacy = await request(invokePath('legacy'), { method: 'POST', body: '{}' })
    expect(await legacy.json()).toMatchObject({ style: 'callback' })
  })
})
