import type { Context } from 'hono'

/**
 * For a request refused before its body was read (413). Once the body
 * stream has been opened and left unfinished, @hono/node-server cannot
 * drain it and destroys the socket about 500 ms later; a keep-alive client
 * that sent its next request on that socket meanwhile (the AWS SDK does)
 * sees "socket hang up". Closing the connection with the response tells the
 * client not to reuse it.
 */
export function closeAfterResponse(c: Context): void {
  c.header('Connection', 'close')
}
