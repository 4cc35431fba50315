// An API behind HTTP routes (API Gateway HTTP API, payload format 2.0). The
// routes are declared in lambdalet.json; the handler dispatches on
// `event.routeKey` and reads `pathParameters`, as it would on AWS.
//
// The users live in module state, which belongs to one environment: that is
// why lambdalet.json gives this function `maxConcurrency: 1`. Real data
// belongs in a database.
const users = new Map([['1', { id: '1', name: 'Ada' }]])
let nextId = 2

const json = (statusCode, body, headers = {}) => ({
  statusCode,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
})

function parseBody(event) {
  if (event.body === undefined) return undefined
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

export const handler = async (event) => {
  switch (event.routeKey) {
    case 'GET /api/users':
      return json(200, { users: [...users.values()] })
    case 'GET /api/users/{id}': {
      const user = users.get(event.pathParameters.id)
      return user === undefined ? json(404, { message: 'User not found' }) : json(200, user)
    }
    case 'POST /api/users': {
      const body = parseBody(event)
      if (typeof body?.name !== 'string' || body.name.trim() === '') {
        return json(400, { message: 'Expected a JSON body like {"name": "Grace"}' })
      }
      const user = { id: String(nextId++), name: body.name.trim() }
      users.set(user.id, user)
      return json(201, user, { location: `/api/users/${user.id}` })
    }
    default:
      // Also reached by an event that is not an HTTP request (a direct invoke).
      return json(404, {
        message: `No route for ${event?.requestContext?.http?.method ?? 'this event'} ${event?.rawPath ?? ''}`.trim(),
      })
  }
}
