/** What the gateway's middleware hands its handlers through `c.get()`. */
export interface GatewayEnv {
  Variables: {
    /** The Invoke API request id (`X-Amzn-RequestId`), set before the handler runs. */
    requestId: string
    /**
     * Call once the request's body is read: from then on it is in-flight
     * work the shutdown waits for. Returns the 503 to answer when the
     * shutdown began meanwhile.
     */
    bodyReceived: () => Response | undefined
  }
}
