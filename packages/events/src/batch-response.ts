/**
 * What a handler's answer to an SQS batch means under
 * `ReportBatchItemFailures`, by Lambda's rules: `null`, an empty object, or
 * an empty or null `batchItemFailures` is complete success; the listed
 * messages failed otherwise; anything malformed (not JSON, not an object,
 * an entry without a non-empty `itemIdentifier`, an id not in the batch)
 * fails the whole batch.
 */
export type BatchOutcome =
  | { kind: 'all-succeeded' }
  | { kind: 'some-failed'; ids: Set<string> }
  | { kind: 'all-failed' }

export function batchOutcome(payload: string, batchIds: ReadonlySet<string>): BatchOutcome {
  let response: unknown
  try {
    response = JSON.parse(payload)
  } catch {
    return { kind: 'all-failed' }
  }
  if (response === null) return { kind: 'all-succeeded' }
  if (typeof response !== 'object' || Array.isArray(response)) return { kind: 'all-failed' }
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures
  if (failures === undefined || failures === null) return { kind: 'all-succeeded' }
  if (!Array.isArray(failures)) return { kind: 'all-failed' }
  if (failures.length === 0) return { kind: 'all-succeeded' }
  const ids = new Set<string>()
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier
    if (typeof id !== 'string' || id === '' || !batchIds.has(id)) return { kind: 'all-failed' }
    ids.add(id)
  }
  return { kind: 'some-failed', ids }
}
