import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigError } from '../src/config/config-error.js'
import { queueMappings } from '../src/config/event-sources.js'
import { loadProject } from '../src/config/load-project.js'
import { runCli } from './helpers.js'

const HANDLER = 'export const handler = async () => "ok"\n'

describe('loading functions from a folder and a config file', () => {
  let root: string
  let dir = ''
  let n = 0

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'lambdalet-config-'))
  })
  afterAll(() => rm(root, { recursive: true, force: true }))

  /** A fresh folder holding `files` (name → content). */
  async function folder(files: Record<string, string>): Promise<string> {
    dir = join(root, `case-${n++}`)
    await mkdir(join(dir, 'lib'), { recursive: true })
    for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content)
    return dir
  }

  async function issues(promise: Promise<unknown>): Promise<readonly string[]> {
    const error = await promise.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    return (error as ConfigError).issues
  }

  it('makes every module file directly in the folder a function with ANY routes', async () => {
    await folder({
      'a.mjs': HANDLER,
      'b-c.cjs': 'exports.handler = async () => 1\n',
      'd_e.js': HANDLER,
      'notes.txt': '',
    })
    await writeFile(join(dir, 'lib', 'helper.mjs'), HANDLER)
    const project = await loadProject({ dir })
    expect(Object.keys(project.functions).sort()).toEqual(['a', 'b-c', 'd_e'])
    expect(project.functions['a']).toEqual({ handler: 'a.mjs', codeDir: dir, routes: ['ANY /a', 'ANY /a/{proxy+}'] })
    expect(project.warnings).toEqual([])
  })

  it('keeps a handler given relative to its code folder inside it, links followed', async () => {
    const outsideName = `outside-${n}`
    const outside = join(root, outsideName)
    await mkdir(outside, { recursive: true })
    await writeFile(join(outside, 'secret.mjs'), HANDLER)
    await folder({
      'ok.mjs': HANDLER,
      'lambdalet.json': JSON.stringify({
        functions: { up: { handler: `../${outsideName}/secret.handler` }, linked: { handler: 'lib/link.handler' } },
      }),
    })
    await symlink(join(outside, 'secret.mjs'), join(dir, 'lib', 'link.mjs'))
    // A link directly in the folder is not discovered as a function either.
    await symlink(join(outside, 'secret.mjs'), join(dir, 'escape.mjs'))
    const found = await issues(loadProject({ dir }))
    expect(found).toEqual([
      expect.stringMatching(
        /functions\.up\.handler: expected a file inside .*, got "\.\.\/outside-\d+\/secret\.handler", which leads outside it/,
      ),
      expect.stringMatching(
        /functions\.linked\.handler: expected a file inside .*, got "lib\/link\.handler", which leads outside it/,
      ),
    ])

    // An absolute path or a codeDir elsewhere is the config's explicit choice.
    await folder({
      'lambdalet.json': JSON.stringify({
        functions: {
          absolute: { handler: join(outside, 'secret.handler') },
          shared: { handler: 'secret.handler', codeDir: `../${outsideName}` },
        },
      }),
    })
    await symlink(join(outside, 'secret.mjs'), join(dir, 'escape.mjs'))
    const project = await loadProject({ dir })
    expect(Object.keys(project.functions).sort()).toEqual(['absolute', 'shared'])
    expect(project.warnings).toEqual([`skipping "escape.mjs": it links to a file outside ${dir}`])
  })

  it('makes .ts, .mts and .cts files functions too, but not .d.ts declarations', async () => {
    await folder({ 'a.ts': HANDLER, 'b.mts': HANDLER, 'c.cts': HANDLER, 'types.d.ts': 'export type T = 1\n' })
    const project = await loadProject({ dir })
    expect(Object.keys(project.functions).sort()).toEqual(['a', 'b', 'c'])
    expect(project.functions['a']).toMatchObject({ handler: 'a.ts', codeDir: dir })
    expect(project.warnings).toEqual([])
  })

  it('finds a Lambda-style handler named in the config in a .ts file, and inheritEnv at both levels', async () => {
    await folder({
      'lambdalet.json': JSON.stringify({
        inheritEnv: ['NODE_ENV'],
        functions: { api: { handler: 'lib/api.handler', inheritEnv: ['DATABASE_URL'] } },
      }),
    })
    await writeFile(join(dir, 'lib', 'api.ts'), HANDLER)
    const project = await loadProject({ dir })
    expect(project.inheritEnv).toEqual(['NODE_ENV'])
    expect(project.functions['api']).toMatchObject({ handler: 'lib/api.handler', inheritEnv: ['DATABASE_URL'] })
  })

  it('reports an inheritEnv that is not a list of variable names', async () => {
    await folder({ 'a.mjs': HANDLER, 'lambdalet.json': JSON.stringify({ inheritEnv: 'NODE_ENV', functions: {} }) })
    expect(await issues(loadProject({ dir, cwd: dir }))).toEqual([
      'lambdalet.json: inheritEnv: expected an array of variable names such as ["NODE_ENV"], got "NODE_ENV"',
    ])
  })

  it('skips files whose names are not function names, with a warning', async () => {
    await folder({ 'ok.mjs': HANDLER, 'not valid.mjs': HANDLER, 'x.y.mjs': HANDLER })
    const project = await loadProject({ dir })
    expect(Object.keys(project.functions)).toEqual(['ok'])
    expect(project.warnings).toHaveLength(2)
    expect(project.warnings.join('\n')).toContain('"not valid.mjs"')
  })

  it('takes settings and routes from the folder’s lambdalet.json, relative to it', async () => {
    await folder({
      'api.mjs': HANDLER,
      'lambdalet.json': JSON.stringify({
        maxConcurrency: 20,
        maxThreads: 16,
        maxColdStarts: 1,
        apiKeyFile: 'secrets/api-key',
        functions: {
          api: { routes: ['GET /users/{id}'], timeoutMs: 1000, env: { A: 'b' } },
          extra: { handler: 'lib/helper.handler', codeDir: '.' },
        },
      }),
    })
    await writeFile(join(dir, 'lib', 'helper.mjs'), HANDLER)
    const project = await loadProject({ dir })
    expect(project.maxConcurrency).toBe(20)
    expect(project).toMatchObject({ maxThreads: 16, maxColdStarts: 1, apiKeyFile: join(dir, 'secrets/api-key') })
    expect(project.functions['api']).toEqual({
      handler: 'api.mjs',
      codeDir: dir,
      routes: ['GET /users/{id}'],
      timeoutMs: 1000,
      env: { A: 'b' },
    })
    expect(project.functions['extra']).toEqual({ handler: 'lib/helper.handler', codeDir: dir, routes: [] })
  })

  it('reports an unknown key with the file and the key path', async () => {
    await folder({
      'hello.mjs': HANDLER,
      'lambdalet.json': '{"functions":{"hello":{"timeout":3,"__proto__":{},"constructor":1}},"port":1}',
    })
    const found = await issues(loadProject({ dir, cwd: dir }))
    expect(found).toContain(
      'lambdalet.json: functions.hello.timeout: unknown key (expected one of handler, codeDir, timeoutMs, memoryMb, maxConcurrency, maxQueue, idleTimeoutMs, minWarm, initTimeoutMs, maxStreamBytes, env, inheritEnv, logBudgetBytes, runtime, command, routes, maximumRetryAttempts, maximumEventAgeInSeconds, destinations, payloadFormatVersion, events)',
    )
    expect(found.some((issue) => issue.startsWith('lambdalet.json: port: unknown key'))).toBe(true)
    expect(found.some((issue) => issue.startsWith('lambdalet.json: functions.hello.__proto__: unknown key'))).toBe(true)
    expect(found.some((issue) => issue.startsWith('lambdalet.json: functions.hello.constructor: unknown key'))).toBe(
      true,
    )
  })

  it('reports bad asynchronous settings with the file and the key: a retry count of 3, an age under 60 s, an unknown store scheme', async () => {
    await folder({
      'hello.mjs': HANDLER,
      'lambdalet.json': JSON.stringify({
        store: 'nats://localhost',
        retryDelaysMs: [1000],
        functions: {
          hello: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 59, destinations: { onFailure: 'nowhere' } },
        },
      }),
    })
    const found = await issues(loadProject({ dir, cwd: dir }))
    expect(found).toEqual(
      expect.arrayContaining([
        'lambdalet.json: store: expected a directory, memory, redis://host:port or postgres://user:password@host:port/db, not a "nats://" URL, got "nats://localhost"',
        'lambdalet.json: retryDelaysMs: expected two non-negative integers (ms before the first and the second retry), e.g. [60000, 120000], got an array',
        'lambdalet.json: functions.hello.maximumRetryAttempts: expected an integer from 0 to 2, got 3',
        'lambdalet.json: functions.hello.maximumEventAgeInSeconds: expected an integer from 60 to 21600, got 59',
      ]),
    )
  })

  it('reports a destination that names no function', async () => {
    await folder({
      'hello.mjs': HANDLER,
      'lambdalet.json': JSON.stringify({ functions: { hello: { destinations: { onFailure: 'nowhere' } } } }),
    })
    expect(await issues(loadProject({ dir, cwd: dir }))).toEqual([
      'lambdalet.json: functions.hello.destinations.onFailure: expected a function served here, got "nowhere"',
    ])
  })

  it('reads queues, and sqs event sources into event source mappings', async () => {
    await folder({
      'worker.mjs': HANDLER,
      'lambdalet.json': JSON.stringify({
        queues: {
          orders: { visibilityTimeoutSeconds: 30, maxReceiveCount: 5, deadLetterQueue: 'orders-dlq' },
          'orders-dlq': {},
        },
        functions: {
          worker: {
            events: [
              {
                sqs: 'orders',
                batchSize: 10,
                functionResponseTypes: ['ReportBatchItemFailures'],
                maximumConcurrency: 2,
              },
            ],
            destinations: { onFailure: 'queue:orders-dlq' },
          },
        },
      }),
    })
    const project = await loadProject({ dir, cwd: dir })
    expect(project.queues).toEqual({
      orders: { visibilityTimeoutSeconds: 30, maxReceiveCount: 5, deadLetterQueue: 'orders-dlq' },
      'orders-dlq': {},
    })
    expect(queueMappings('worker', project.functions['worker']?.events)).toEqual([
      {
        functionName: 'worker',
        queue: 'orders',
        batchSize: 10,
        functionResponseTypes: ['ReportBatchItemFailures'],
        maximumConcurrency: 2,
      },
    ])
  })

  it("reports bad queues and sqs event sources by Lambda's and SQS's ranges, and refuses FIFO queues", async () => {
    await folder({
      'worker.mjs': HANDLER,
      'lambdalet.json': JSON.stringify({
        queues: {
          orders: { visibilityTimeoutSeconds: 50_000, maxReceiveCount: 5, deadLetterQueue: 'missing' },
          'jobs.fifo': {},
          lonely: { maxReceiveCount: 3 },
        },
        functions: {
          worker: {
            events: [
              { sqs: 'nowhere' },
              { sqs: 'orders', batchSize: 20, maximumConcurrency: 1, functionResponseTypes: ['Everything'] },
              { kafka: 'topic' },
            ],
            destinations: { onFailure: 'queue:nowhere' },
          },
        },
      }),
    })
    expect(await issues(loadProject({ dir, cwd: dir }))).toEqual([
      'lambdalet.json: queues.orders.visibilityTimeoutSeconds: expected an integer from 0 to 43200, got 50000',
      'lambdalet.json: queues.orders.deadLetterQueue: expected a queue defined here, got "missing"',
      'lambdalet.json: queues["jobs.fifo"]: FIFO queues are not supported by lambdalet; "jobs.fifo" would be one (use a standard queue name without .fifo)',
      'lambdalet.json: queues.lonely.deadLetterQueue and maxReceiveCount: expected both or neither (they make the redrive policy)',
      'lambdalet.json: functions.worker.events[0].sqs: expected the name of a queue defined in "queues", got "nowhere"',
      'lambdalet.json: functions.worker.events[1].maximumConcurrency: expected an integer from 2 to 1000, got 1',
      'lambdalet.json: functions.worker.events[1].maximumBatchingWindowInSeconds: expected at least 1 when batchSize is over 10 (as Lambda requires), got nothing',
      'lambdalet.json: functions.worker.events[1].functionResponseTypes: expected [] or ["ReportBatchItemFailures"], got ["Everything"]',
      'lambdalet.json: functions.worker.events[2]: expected an event source with a "schedule" or "sqs" key, such as { "schedule": "rate(5 minutes)" } or { "sqs": "orders" }, got an object with "kafka"',
    ])
  })

  it('reports every bad value with the file, the key path and what was expected', async () => {
    await folder({
      'hello.mjs': HANDLER,
      'lambdalet.json': JSON.stringify({
        functions: {
          hello: { timeoutMs: '3s', memoryMb: 8, env: { OK: 1 }, routes: ['FETCH /x'], minWarm: 3, maxConcurrency: 2 },
          'bad name': {},
        },
        region: 'mars',
      }),
    })
    const found = await issues(loadProject({ dir, cwd: dir }))
    expect(found).toEqual(
      expect.arrayContaining([
        'lambdalet.json: functions.hello.timeoutMs: expected a positive integer, got "3s"',
        'lambdalet.json: functions.hello.memoryMb: expected an integer of at least 16 (MB), got 8',
        'lambdalet.json: functions.hello.env.OK: expected a string, got 1',
        expect.stringMatching(
          /^lambdalet\.json: functions\.hello\.routes\[0\]: expected a route key .*, got "FETCH \/x"$/,
        ),
        'lambdalet.json: functions.hello.minWarm: expected at most maxConcurrency (2), got 3',
        'lambdalet.json: functions["bad name"]: expected a function name of 1 to 64 letters, digits, "-" or "_"',
        'lambdalet.json: region: expected a region like "us-east-1", got "mars"',
      ]),
    )
  })

  it('takes payloadFormatVersion per function as the string "1.0" or "2.0"', async () => {
    await folder({
      'rest.mjs': HANDLER,
      'lambdalet.json': JSON.stringify({ functions: { rest: { payloadFormatVersion: '1.0' } } }),
    })
    expect((await loadProject({ dir })).functions['rest']?.payloadFormatVersion).toBe('1.0')
    await folder({
      'rest.mjs': HANDLER,
      'lambdalet.json': '{"functions":{"rest":{"payloadFormatVersion":1.0}}}',
    })
    expect(await issues(loadProject({ dir, cwd: dir }))).toEqual([
      'lambdalet.json: functions.rest.payloadFormatVersion: expected "1.0" or "2.0", got 1',
    ])
  })

  it('reports a handler file that does not exist and a function without a handler', async () => {
    await folder({ 'lambdalet.json': '{"functions":{"gone":{"handler":"gone.mjs"},"none":{}}}' })
    const found = await issues(loadProject({ dir, cwd: dir }))
    expect(found[0]).toMatch(/^lambdalet\.json: functions\.gone\.handler: expected an existing file, got "gone\.mjs"/)
    expect(found[1]).toMatch(/^lambdalet\.json: functions\.none\.handler: expected a handler/)
  })

  it('reports a config file that is not JSON, and a folder without functions', async () => {
    await folder({ 'lambdalet.json': '{\n  "functions": {},\n  oops: 1\n}' })
    // Line 3, column 3: where the unquoted key starts.
    expect((await issues(loadProject({ dir, cwd: dir })))[0]).toMatch(/^lambdalet\.json:3:3: not valid JSON/)
    await folder({ 'readme.md': '' })
    expect((await issues(loadProject({ dir })))[0]).toMatch(/no functions found/)
  })

  it('exits with code 2 and prints the problems before starting anything', async () => {
    await folder({ 'hello.mjs': HANDLER, 'app.json': '{"functions":{"hello":{"timeoutMs":"3s"}}}' })
    const result = await runCli(['serve', '--config', join(dir, 'app.json'), '--port', '0'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('app.json: functions.hello.timeoutMs: expected a positive integer, got "3s"')
    expect(result.stdout).not.toContain('listening')
  })
})

describe('command line checks', () => {
  it('refuses to listen on a non-loopback address without an API key', async () => {
    const result = await runCli(['serve', '.', '--host', '0.0.0.0', '--port', '0'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/refusing to listen on 0\.0\.0\.0 without an API key/)
    expect(result.stderr).toContain('--insecure-no-auth')
  })

  it('rejects unknown flags and bad values with code 2', async () => {
    const unknown = await runCli(['serve', '--nope'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain("Unknown option '--nope'")
    const port = await runCli(['serve', '--port', 'http'])
    expect(port.code).toBe(2)
    expect(port.stderr).toContain('--port: expected a port number')
    const command = await runCli(['deploy'])
    expect(command.code).toBe(2)
    expect(command.stderr).toContain('unknown command "deploy"')
  })

  it('prints help and the version', async () => {
    const help = await runCli(['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/lambdalet serve/)
    const serveHelp = await runCli(['serve', '--help'])
    expect(serveHelp.stdout).toContain('--drain-timeout')
    const version = await runCli(['--version'])
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/)
  })
})
