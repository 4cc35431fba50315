import type { ErrorShape } from '@lambdalet/protocol'

/** The header a runtime may name its error type in (version 4 of the Node client sends none on `/error`). */
export const ERROR_TYPE_HEADER = 'Lambda-Runtime-Function-Error-Type'

/**
 * What a runtime reported on `/error` or `/init/error`: the JSON body
 * `{errorType, errorMessage, stackTrace | trace}` when there is one (the
 * type from the header only when the body has none), else the header, else
 * `Unhandled`. A body that is not JSON is the message.
 */
export function errorReport(body: string, headerType: string | undefined): ErrorShape {
  const fallbackType = headerType === undefined || headerType.trim() === '' ? 'Unhandled' : headerType.trim()
  let parsed: unknown
  try {
    parsed = body === '' ? undefined : JSON.parse(body)
  } catch {
    return { errorType: fallbackType, errorMessage: body, trace: [] }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { errorType: fallbackType, errorMessage: parsed === undefined ? '' : body, trace: [] }
  }
  const fields = parsed as Record<string, unknown>
  return {
    errorType:
      typeof fields['errorType'] === 'string' && fields['errorType'] !== '' ? fields['errorType'] : fallbackType,
    errorMessage: typeof fields['errorMessage'] === 'string' ? fields['errorMessage'] : '',
    trace: lines(fields['stackTrace'] ?? fields['trace']),
  }
}

function lines(value: unknown): string[] {
  if (typeof value === 'string') return value.split('\n')
  if (Array.isArray(value)) return value.map((line) => (typeof line === 'string' ? line : JSON.stringify(line)))
  return []
}
