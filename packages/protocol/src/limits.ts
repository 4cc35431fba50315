/** Lambda's synchronous request and response payload limit (6 MB). */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024
/** Lambda's asynchronous (`Event`) request payload limit (1 MB). */
export const MAX_ASYNC_PAYLOAD_BYTES = 1024 * 1024
/** `LogType: Tail` returns at most the last 4 KB of the log. */
export const TAIL_LOG_BYTES = 4 * 1024
/** SQS's message size limit (1 MiB): body and message attributes together. */
export const MAX_MESSAGE_BYTES = 1024 * 1024
