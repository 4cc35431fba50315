import type { FunctionReference } from './function-name.js'

/** The one region and account this server answers for. */
export interface FunctionScope {
  region: string
  accountId: string
  /**
   * Whether an ARN naming another account is refused. Only when the
   * account id was configured: otherwise there is no account to be wrong
   * about, and refusing `123456789012` (the id in AWS's own examples, which
   * users paste) would only get in the way.
   */
  strictAccount: boolean
}

export function functionArn(scope: FunctionScope, name: string, qualifier?: string): string {
  const arn = `arn:aws:lambda:${scope.region}:${scope.accountId}:function:${name}`
  return qualifier === undefined ? arn : `${arn}:${qualifier}`
}

/** `null` when `ref` may name a function of this server, else Lambda's not-found message. */
export function outOfScope(ref: FunctionReference, scope: FunctionScope): string | null {
  if (ref.region !== undefined && ref.region !== scope.region) {
    return `Functions from '${ref.region}' are not reachable in this region ('${scope.region}')`
  }
  if (scope.strictAccount && ref.accountId !== undefined && ref.accountId !== scope.accountId) {
    return `Function not found: arn:aws:lambda:${scope.region}:${ref.accountId}:function:${ref.name}`
  }
  return null
}
