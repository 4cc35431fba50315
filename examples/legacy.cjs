// A CommonJS, callback-style handler. Lambda dropped callbacks on Node.js 24;
// lambdalet still runs them and warns once.
exports.handler = (event, context, callback) => {
  setTimeout(() => callback(null, { style: 'callback', remainingMs: context.getRemainingTimeInMillis() }), 5)
}
