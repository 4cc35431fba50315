import { InvokeCommand } from '@aws-sdk/client-lambda'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fixtures, lambdaClient, runCli, spawnServe } from './helpers.js'

const folder = `${fixtures}loggers`

type Serve = ReturnType<typeof spawnServe>
const stop = async (serve: Serve) => {
  serve.child.kill('SIGTERM')
  await serve.exited
}

/** The kind and text of each line of one invocation, from `--log-format json` records. */
function invocationLines(records: Array<Record<string, unknown>>, requestId: string): string[] {
  return records
    .filter((record) => record['requestId'] === requestId)
    .map((record) => `${record['kind']} ${String(record['message'])}`)
}

describe('the lines of Powertools Logger and Metrics, pino and raw writes', () => {
  let serve: Serve
  let port: number
  beforeAll(async () => {
    serve = spawnServe([folder, '--port', '0', '--log-format', 'json'])
    port = await serve.port
  })
  afterAll(() => stop(serve))

  it('are the invocation’s: tagged, in order between START and END, in Tail, each a JSON record', async () => {
    const output = await lambdaClient(port).send(new InvokeCommand({ FunctionName: 'loggers', LogType: 'Tail' }))
    const requestId = output.$metadata.requestId as string
    expect(JSON.parse(Buffer.from(output.Payload!).toString())).toEqual({ ok: true })
    await serve.waitFor(new RegExp(`"requestId":"${requestId}","kind":"report"`))
    // Every line on stdout is one JSON record.
    const records = serve.lines.map((line) => JSON.parse(line) as Record<string, unknown>)
    const lines = invocationLines(records, requestId)
    expect(lines).toEqual([
      `start START RequestId: ${requestId} Version: $LATEST`,
      'function console first',
      expect.stringMatching(/^function \{"level":"INFO","message":"powertools info"/),
      expect.stringMatching(/^function \{"level":30,.*"msg":"pino info"\}$/),
      expect.stringMatching(/^function \{"_aws":\{"Timestamp":\d+,"CloudWatchMetrics":\[\{"Namespace":"shop"/),
      'function raw last',
      `end END RequestId: ${requestId}`,
      expect.stringMatching(new RegExp(`^report REPORT RequestId: ${requestId}\tDuration: `)),
    ])
    const powertools = records.find((r) => String(r['message']).includes('powertools info'))!
    expect(JSON.parse(powertools['message'] as string)).toMatchObject({
      service: 'orders',
      orderId: 7,
      function_request_id: requestId,
    })
    expect(
      JSON.parse(records.find((r) => String(r['message']).includes('pino info'))!['message'] as string),
    ).toMatchObject({
      msg: 'pino info',
      orderId: 7,
    })
    const tail = Buffer.from(output.LogResult ?? '', 'base64')
      .toString('utf8')
      .trimEnd()
      .split('\n')
    expect(tail).toEqual([
      `START RequestId: ${requestId} Version: $LATEST`,
      expect.stringMatching(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\S+Z\\t${requestId}\\tINFO\\tconsole first$`)),
      expect.stringMatching(/^\{"level":"INFO","message":"powertools info"/),
      expect.stringMatching(/^\{"level":30,.*"msg":"pino info"\}$/),
      expect.stringMatching(/^\{"_aws":\{"Timestamp":/),
      'raw last',
      `END RequestId: ${requestId}`,
      expect.stringMatching(new RegExp(`^REPORT RequestId: ${requestId}\\tDuration: `)),
    ])
  })

  it('are followed by Lambda’s Invoke Error line when the function fails behind an HTTP route', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/loggers?fail=1`)
    expect(response.status).toBe(502)
    const match = await serve.waitFor(
      /"message":"Invoke Error \\t\{\\"errorType\\":\\"Error\\",\\"errorMessage\\":\\"order failed\\"/,
    )
    const record = JSON.parse(match.input as string) as Record<string, unknown>
    expect(record).toMatchObject({ kind: 'function', level: 'ERROR', functionName: 'loggers' })
    const requestId = record['requestId'] as string
    await serve.waitFor(new RegExp(`"requestId":"${requestId}","kind":"report"`))
    const lines = invocationLines(
      serve.lines.map((line) => JSON.parse(line) as Record<string, unknown>),
      requestId,
    )
    expect(lines.slice(-4, -2)).toEqual(['function raw last', expect.stringMatching(/^function Invoke Error/)])
    expect(serve.lines.find((line) => line.includes(`"requestId":"${requestId}","kind":"report"`))).toContain(
      '"status":"error"',
    )
  })
})

describe('lambdalet invoke', () => {
  it('prints only the result on stdout, every log line on stderr', async () => {
    const result = await runCli(['invoke', 'loggers', folder])
    expect(result.code).toBe(0)
    expect(result.stdout).toBe('{"ok":true}\n')
    expect(result.stderr).toContain('powertools info')
    expect(result.stderr).toContain('pino info')
    expect(result.stderr).toMatch(/^\[loggers\] raw last$/m)
  })
})

describe('--log-level', () => {
  it('drops START / END / REPORT at warn and keeps the function’s error', async () => {
    const result = await runCli(['invoke', 'loggers', folder, '--log-level', 'warn', '--event', '{"fail":true}'])
    expect(result.code).toBe(1)
    expect(JSON.parse(result.stdout)).toMatchObject({ errorType: 'Error', errorMessage: 'order failed' })
    expect(result.stderr).not.toMatch(/START RequestId|END RequestId|REPORT RequestId|console first/)
    expect(result.stderr).toMatch(
      /^\[loggers\] \S+\t\S+\tERROR\tInvoke Error \t\{"errorType":"Error","errorMessage":"order failed","stack":\["Error: order failed"," {4}at handler \(/m,
    )
  })

  it('writes nothing at silent, and refuses an unknown level', async () => {
    const silent = await runCli(['invoke', 'loggers', folder, '--log-level', 'silent', '--event', '{"fail":true}'])
    expect(silent.code).toBe(1)
    expect(silent.stderr).toBe('')
    const unknown = await runCli(['invoke', 'loggers', folder, '--log-level', 'loud'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('--log-level: expected one of debug, info, warn, error, silent, got "loud"')
  })
})

describe('on SIGTERM', () => {
  it('writes every line of the last invocations before the process exits', async () => {
    const serve = spawnServe([folder, '--port', '0'])
    const port = await serve.port
    const client = lambdaClient(port)
    const outputs = await Promise.all(
      Array.from({ length: 20 }, () => client.send(new InvokeCommand({ FunctionName: 'loggers' }))),
    )
    serve.child.kill('SIGTERM')
    expect((await serve.exited).code).toBe(0)
    for (const output of outputs) {
      const requestId = output.$metadata.requestId as string
      const own = serve.lines.filter((line) => line.includes(requestId))
      expect(own[0]).toBe(`[loggers] START RequestId: ${requestId} Version: $LATEST`)
      expect(own.at(-1)).toMatch(new RegExp(`^\\[loggers\\] REPORT RequestId: ${requestId}\\t`))
    }
    expect(serve.lines.at(-1)).toBe('stopped')
  })
})
