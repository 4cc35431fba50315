/**
 * The Invoke API's `FunctionName`: a name, `name:qualifier`, a partial ARN
 * (`account:function:name[:qualifier]`) or a full ARN
 * (`arn:aws:lambda:region:account:function:name[:qualifier]`). Only the
 * shape is checked; whether the function exists is the invoker's business.
 */
const FUNCTION_NAME =
  /^(?:arn:aws[a-z-]*:lambda:([a-z]{2}(?:-gov)?-[a-z]+-\d):(\d{12}):function:|(\d{12}):function:)?([A-Za-z0-9_-]{1,64})(?::(\$LATEST|[A-Za-z0-9_-]{1,128}))?$/
const QUALIFIER = /^(?:\$LATEST|[A-Za-z0-9_-]{1,128})$/

export interface FunctionReference {
  name: string
  /** From an ARN, when the caller gave one: Lambda only serves its own region and account. */
  region: string | undefined
  accountId: string | undefined
  /** `undefined` when neither the name nor `?Qualifier=` names a version. */
  qualifier: string | undefined
}

export type ParsedFunctionName = { ok: true; ref: FunctionReference } | { ok: false; message: string }

const MAX_QUOTED_LENGTH = 140

/** `raw` is the URL-decoded path segment; `queryQualifier` is `?Qualifier=`. */
export function parseFunctionName(raw: string, queryQualifier: string | undefined): ParsedFunctionName {
  // 170 is Lambda's own limit for FunctionName (a full ARN with a qualifier).
  const match = raw.length <= 170 ? FUNCTION_NAME.exec(raw) : null
  if (match === null) {
    return { ok: false, message: `Invalid function name: ${quote(raw)}` }
  }
  const name = match[4] as string
  const derived = match[5]
  if (queryQualifier !== undefined && !QUALIFIER.test(queryQualifier)) {
    return { ok: false, message: `Invalid qualifier: ${quote(queryQualifier)}` }
  }
  if (derived !== undefined && queryQualifier !== undefined && derived !== queryQualifier) {
    return {
      ok: false,
      message: 'The derived qualifier from the function name does not match the specified qualifier.',
    }
  }
  return {
    ok: true,
    ref: { name, qualifier: derived ?? queryQualifier, region: match[1], accountId: match[2] ?? match[3] },
  }
}

function quote(raw: string): string {
  const shown = raw.length > MAX_QUOTED_LENGTH ? `${raw.slice(0, MAX_QUOTED_LENGTH)}…` : raw
  // JSON.stringify escapes control characters, so the message stays one readable line.
  return JSON.stringify(shown)
}
