// C0 controls, DEL, C1 controls (8-bit terminals read U+009B as CSI) and the
// Unicode line and paragraph separators some viewers break lines on.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g
const CONTROL_EXCEPT_TAB = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/g

// The same classes without the global flag, for a test that keeps no lastIndex.
const HAS_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/
const HAS_CONTROL_EXCEPT_TAB = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' }

function replacement(char: string): string {
  const named = NAMED[char]
  if (named !== undefined) return named
  const code = char.charCodeAt(0)
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`
}

/**
 * Makes text safe for one line of a terminal or a log file: a function's
 * output must not be able to start a new, forged log line or send terminal
 * escape sequences. `\u001b` becomes `\x1b`, a newline `\n`.
 */
export function escapeControl(text: string): string {
  // Most lines have nothing to escape: a test is cheaper than a replace that finds nothing.
  return HAS_CONTROL.test(text) ? text.replace(CONTROL, replacement) : text
}

/** The same, keeping tabs: for lines lambdalet itself lays out with tabs. */
export function escapeControlKeepTabs(text: string): string {
  return HAS_CONTROL_EXCEPT_TAB.test(text) ? text.replace(CONTROL_EXCEPT_TAB, replacement) : text
}

const JSON_UNSAFE = /[\u007f-\u009f\u2028\u2029]/g

/**
 * `JSON.stringify` escapes C0 controls but passes DEL, C1 controls and the
 * line separators through; those become `\uXXXX` escapes too.
 */
export function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(JSON_UNSAFE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
