/**
 * An API Gateway HTTP API route key (`GET /users/{id}`, `ANY /files/{proxy+}`,
 * `$default`) turned into what Hono's router needs, once, at start-up.
 */
export interface Route {
  functionName: string
  /** The route key as API Gateway reports it in the event. */
  routeKey: string
  /** An upper-case method, or `ANY`. */
  method: string
  /** The path in Hono's syntax: `{id}` → `:id`, `{proxy+}` → `:proxy{.+}`. */
  honoPath: string
  paramNames: readonly string[]
  /** Per segment 0 static, 1 parameter, 2 greedy: lower sorts first. */
  rank: readonly number[]
}

// Hono answers HEAD with the GET route (body dropped), so a HEAD route could never match.
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'ANY'])
const STATIC_SEGMENT = /^[A-Za-z0-9._~!$&'()+,;=@-]+$/
const PARAM_SEGMENT = /^\{([A-Za-z_][A-Za-z0-9_]*)(\+)?\}$/

export function parseRouteKey(functionName: string, key: string): Route {
  if (key === '$default') {
    return { functionName, routeKey: key, method: 'ANY', honoPath: '*', paramNames: [], rank: [] }
  }
  const invalid = (why: string): Error =>
    new TypeError(
      `Expected \`routes.${functionName}\` entries to look like \`GET /path\`, \`ANY /users/{id}\` or \`$default\`, got ${JSON.stringify(key)} (${why})`,
    )
  const space = key.indexOf(' ')
  const method = key.slice(0, space).toUpperCase()
  const path = key.slice(space + 1)
  if (space <= 0) throw invalid('no method')
  if (method === 'HEAD') throw invalid('HEAD requests are served by the GET route')
  if (!METHODS.has(method)) throw invalid('unknown method')
  if (!path.startsWith('/')) throw invalid('the path must start with `/`')

  const segments = path === '/' ? [] : path.slice(1).split('/')
  const honoSegments: string[] = []
  const paramNames: string[] = []
  const rank: number[] = []
  segments.forEach((segment, index) => {
    const param = PARAM_SEGMENT.exec(segment)
    if (param !== null) {
      const name = param[1] as string
      const greedy = param[2] !== undefined
      if (greedy && index !== segments.length - 1) throw invalid('a greedy `{name+}` must be the last segment')
      if (paramNames.includes(name)) throw invalid(`\`{${name}}\` appears twice`)
      paramNames.push(name)
      honoSegments.push(greedy ? `:${name}{.+}` : `:${name}`)
      rank.push(greedy ? 2 : 1)
    } else if (STATIC_SEGMENT.test(segment)) {
      honoSegments.push(segment)
      rank.push(0)
    } else {
      throw invalid(`unsupported path segment ${JSON.stringify(segment)}`)
    }
  })
  return {
    functionName,
    routeKey: `${method} ${path}`,
    method,
    honoPath: `/${honoSegments.join('/')}`,
    paramNames,
    rank,
  }
}

/**
 * API Gateway picks the most specific route, Hono the first registered one,
 * so routes are registered most specific first: static segments before
 * parameters before greedy ones, then a method before `ANY`; `$default` last.
 */
export function compareRoutes(a: Route, b: Route): number {
  const defaults = Number(a.routeKey === '$default') - Number(b.routeKey === '$default')
  if (defaults !== 0) return defaults
  const length = Math.min(a.rank.length, b.rank.length)
  for (let i = 0; i < length; i++) {
    const difference = (a.rank[i] as number) - (b.rank[i] as number)
    if (difference !== 0) return difference
  }
  if (a.rank.length !== b.rank.length) return b.rank.length - a.rank.length
  return Number(a.method === 'ANY') - Number(b.method === 'ANY')
}
