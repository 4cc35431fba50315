/**
 * How Lambda names things. Each rule lives here once, so the host, the
 * gateway and the CLI cannot drift apart on what a function name or its ARN
 * looks like.
 */

/** Lambda's rule for a function name (not an ARN). */
export const FUNCTION_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/

/** The only version lambdalet runs. */
export const LATEST_VERSION = '$LATEST'

/** Used in ARNs and `AWS_REGION` when none is configured. */
export const DEFAULT_REGION = 'us-east-1'

/** Used in ARNs when none is configured; twelve digits, as an account id has. */
export const DEFAULT_ACCOUNT_ID = '000000000000'

export function functionArn(region: string, accountId: string, functionName: string): string {
  return `arn:aws:lambda:${region}:${accountId}:function:${functionName}`
}

export function logGroupName(functionName: string): string {
  return `/aws/lambda/${functionName}`
}
