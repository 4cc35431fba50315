/** What the gateway's middleware hands its handlers through `c.get()`. */
export interface GatewayEnv {
  Variables: {
    /** The Invoke API request id (`X-Amzn-RequestId`), set before the handler runs. */
    requestId: string
  }
}
