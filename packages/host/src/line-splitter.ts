import type { Readable } from 'node:stream'
import { StringDecoder } from 'node:string_decoder'

/** A line longer than this without a newline is passed on in pieces of this size, as the thread runtime does. */
export const MAX_LINE_CHARS = 256 * 1024

/**
 * Calls `onLine` with each line a process prints on `stream`, split at
 * `\n` only (a CRLF's `\r` dropped). Not with readline, which also ends a
 * line at a lone `\r`: the official runtime clients print a message's own
 * newlines as `\r`, so one `console.log` of a stack would become many
 * lines, all but the first without their tag and level. And readline holds
 * a line however long it gets: a process printing without newlines would
 * grow the host's memory without bound. The last line, unterminated, comes
 * at the end of the stream.
 */
export function splitLines(stream: Readable, onLine: (line: string) => void): void {
  const decoder = new StringDecoder('utf8')
  let partial = ''
  const take = (text: string): void => {
    let start = 0
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      const line = partial + text.slice(start, end)
      partial = ''
      onLine(line.endsWith('\r') ? line.slice(0, -1) : line)
      start = end + 1
    }
    partial += text.slice(start)
    while (partial.length >= MAX_LINE_CHARS) {
      onLine(partial.slice(0, MAX_LINE_CHARS))
      partial = partial.slice(MAX_LINE_CHARS)
    }
  }
  stream.on('data', (chunk: Buffer) => take(decoder.write(chunk)))
  stream.on('end', () => {
    take(decoder.end())
    if (partial !== '') onLine(partial)
    partial = ''
  })
}
