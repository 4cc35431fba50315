import type { FunctionDefinition } from '../config/function-definition.js'

export interface EndpointLine {
  /** `hello  POST http://…/invocations  ANY http://…/hello …` */
  text: string
  fields: { functionName: string; invokeUrl: string; routes: string[] }
}

/** One line per function: its Invoke API URL and its HTTP routes. */
export function endpointLines(url: string, functions: Record<string, FunctionDefinition>): EndpointLine[] {
  const names = Object.keys(functions).sort()
  const width = Math.max(...names.map((name) => name.length))
  return names.map((name) => {
    const invokeUrl = `${url}/2015-03-31/functions/${name}/invocations`
    const routes = ((functions[name] as FunctionDefinition).routes ?? []).map((key) => routeUrl(url, key))
    const text = [`${name.padEnd(width)}  POST ${invokeUrl}`, ...routes].join('  ')
    return { text, fields: { functionName: name, invokeUrl, routes } }
  })
}

function routeUrl(url: string, key: string): string {
  if (key === '$default') return `$default ${url}/*`
  const space = key.indexOf(' ')
  return `${key.slice(0, space).toUpperCase()} ${url}${key.slice(space + 1)}`
}
