// A Piscina task running the same handler with the same JSON text in and out.
// CommonJS because Piscina require()s its worker file first.
let handler

module.exports = async function task(event) {
  handler ??= (await import('../fixtures/noop.mjs')).handler
  return JSON.stringify(await handler(JSON.parse(event), {}))
}
