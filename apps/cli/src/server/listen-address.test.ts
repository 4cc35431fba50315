import { describe, expect, it } from 'vitest'
import { isLoopback, origin } from './listen-address.js'

describe('isLoopback', () => {
  it.each(['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1'])(
    'treats %s as loopback',
    (host) => expect(isLoopback(host)).toBe(true),
  )

  it.each([
    '0.0.0.0',
    '::',
    '192.168.1.10',
    '10.0.0.1',
    '::ffff:10.0.0.1',
    'example.com',
    'localhost.evil.com',
    '128.0.0.1',
  ])('treats %s as reachable from the network', (host) => expect(isLoopback(host)).toBe(false))
})

describe('origin', () => {
  it('brackets IPv6 addresses', () => {
    expect(origin('127.0.0.1', 3000)).toBe('http://127.0.0.1:3000')
    expect(origin('::1', 80)).toBe('http://[::1]:80')
  })
})
