import type { EventContext } from './api-gateway-event.js'
import { apiGatewayTime, queryValues, type RequestParts } from './api-gateway-request.js'
import type { Route } from './route-key.js'

/**
 * An API Gateway event in payload format 1.0, the REST API's proxy event
 * that HTTP APIs also send when an integration asks for 1.0. Absent parts
 * are `null`, not missing, as API Gateway sends them.
 */
export interface ProxyEventV1 {
  version: '1.0'
  resource: string
  path: string
  httpMethod: string
  /** The last value of each header; `multiValueHeaders` has them all. */
  headers: Record<string, string>
  multiValueHeaders: Record<string, string[]>
  queryStringParameters: Record<string, string> | null
  multiValueQueryStringParameters: Record<string, string[]> | null
  pathParameters: Record<string, string> | null
  stageVariables: null
  requestContext: {
    accountId: string
    apiId: string
    domainName: string
    domainPrefix: string
    extendedRequestId: string
    httpMethod: string
    identity: ProxyEventV1Identity
    path: string
    protocol: string
    requestId: string
    requestTime: string
    requestTimeEpoch: number
    resourceId: string
    resourcePath: string
    stage: '$default'
  }
  body: string | null
  isBase64Encoded: boolean
}

/** Who called: only the address and agent are known without IAM or Cognito. */
export interface ProxyEventV1Identity {
  accessKey: null
  accountId: null
  caller: null
  cognitoAuthenticationProvider: null
  cognitoAuthenticationType: null
  cognitoIdentityId: null
  cognitoIdentityPoolId: null
  principalOrgId: null
  sourceIp: string
  user: null
  userAgent: string
  userArn: null
}

export function createProxyEventV1(parts: RequestParts, route: Route, context: EventContext): ProxyEventV1 {
  const headers: Record<string, string> = {}
  for (const [name, values] of Object.entries(parts.headers)) headers[name] = values[values.length - 1] as string
  // `$default` has no path of its own: API Gateway reports the request's.
  const resource = route.routeKey === '$default' ? parts.rawPath : route.routeKey.slice(route.routeKey.indexOf(' ') + 1)

  let queryStringParameters: Record<string, string> | null = null
  let multiValueQueryStringParameters: Record<string, string[]> | null = null
  if (parts.rawQueryString !== '') {
    multiValueQueryStringParameters = queryValues(parts.rawQueryString)
    queryStringParameters = {}
    for (const [key, values] of Object.entries(multiValueQueryStringParameters)) {
      queryStringParameters[key] = values[values.length - 1] as string
    }
  }
  return {
    version: '1.0',
    resource,
    path: parts.rawPath,
    httpMethod: parts.method,
    headers,
    multiValueHeaders: parts.headers,
    queryStringParameters,
    multiValueQueryStringParameters,
    pathParameters: parts.pathParameters ?? null,
    stageVariables: null,
    requestContext: {
      accountId: context.accountId,
      apiId: context.apiId,
      domainName: parts.domainName,
      domainPrefix: parts.domainPrefix,
      extendedRequestId: context.requestId,
      httpMethod: parts.method,
      identity: {
        accessKey: null,
        accountId: null,
        caller: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: parts.sourceIp,
        user: null,
        userAgent: parts.userAgent,
        userArn: null,
      },
      path: parts.rawPath,
      protocol: parts.protocol,
      requestId: context.requestId,
      requestTime: apiGatewayTime(context.now),
      requestTimeEpoch: context.now,
      resourceId: route.routeKey,
      resourcePath: resource,
      stage: '$default',
    },
    body: parts.body?.text ?? null,
    isBase64Encoded: parts.body?.isBase64Encoded ?? false,
  }
}
