import { describe, expect, it } from 'vitest'
import type { LambdaContext } from './context.js'
import { invokeHandler } from './invoke-handler.js'

const context = {} as LambdaContext

describe('invokeHandler', () => {
  it('awaits an async handler', async () => {
    expect(await invokeHandler(async (e) => e, 5, context)).toBe(5)
  })

  it('turns a synchronous throw into a rejection', async () => {
    await expect(
      invokeHandler(
        () => {
          throw new TypeError('sync')
        },
        null,
        context,
      ),
    ).rejects.toThrow('sync')
  })

  it('settles a callback-style handler through its callback', async () => {
    const handler = (_e: unknown, _c: unknown, cb: unknown) => {
      setTimeout(() => (cb as (e: unknown, r: unknown) => void)(null, 'via callback'), 1)
    }
    expect(await invokeHandler(handler, null, context)).toBe('via callback')
  })

  it('rejects when the callback gets an error', async () => {
    const handler = (_e: unknown, _c: unknown, cb: unknown) => (cb as (e: unknown) => void)(new Error('cb error'))
    await expect(invokeHandler(handler, null, context)).rejects.toThrow('cb error')
  })
})
