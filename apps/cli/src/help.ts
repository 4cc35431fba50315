export const MAIN_HELP = `lambdalet — AWS-Lambda-style functions in worker threads

Usage:
  lambdalet serve [dir] [options]          serve functions over the Lambda Invoke API and HTTP routes
  lambdalet invoke <name> [dir] [options]  run one invocation and print its result
  lambdalet bench <handler | name> [dir]   benchmark a handler (cold, warm, memory, GB-s)

Options:
  -h, --help     show help (also: lambdalet <command> --help)
  -v, --version  print the version

Functions: every *.mjs, *.cjs, *.js and *.ts (.mts, .cts) file directly in
[dir] (default: the current folder) exporting \`handler\`; a lambdalet.json
there (or --config) adds settings and routes. TypeScript runs with no build step.`

export const SERVE_HELP = `Usage: lambdalet serve [dir] [options]

Serves the functions in [dir] (default: the current folder): the Lambda
Invoke API (POST /2015-03-31/functions/{name}/invocations, so the AWS SDK and
CLI work with --endpoint-url), HTTP routes (ANY /{name} and ANY /{name}/{proxy+}
by default, as API Gateway HTTP API events), the SQS API for the queues in
lambdalet.json (POST / with X-Amz-Target: AmazonSQS.*, so @aws-sdk/client-sqs
and aws sqs work too), GET /healthz and GET /metrics.
Schedules in lambdalet.json (a function's "events": rate(…) or cron(…), as
EventBridge writes them) invoke it asynchronously on every tick; an "sqs"
event feeds it batches from a queue, as Lambda's event source mapping does.

Options:
  --config <file>          a config file (replaces [dir]/lambdalet.json)
  --port <n>               port to listen on; 0 picks a free one (default 3000)
  --host <address>         address to listen on (default 127.0.0.1)
  --api-key <key>          require "Authorization: Bearer <key>" (or set LAMBDALET_API_KEY)
  --api-key-file <file>    the same, read from a file (keeps it out of the environment)
  --insecure-no-auth       allow a non-loopback --host without an API key
  --drain-timeout <time>   on SIGTERM/SIGINT, wait this long for in-flight work (default 10s)
  --store <where>          where Event invocations and queue messages are kept:
                           a directory (default [dir]/.lambdalet), memory, or
                           redis://host:port or postgres://user:pass@host:port/db
                           to share them between several servers
  --log-format <format>    text (default) or json
  --log-level <level>      debug, info (default), warn, error or silent: warn
                           drops START / END / REPORT and keeps function errors
  --watch                  recycle a function's environments when its code changes, and
                           add or remove functions as files come and go in [dir]
  -h, --help               show this help

Event invocations are stored before the 202 and run at least once: after a
crash or a restart, every accepted event that did not finish runs again.
Listening on anything but a loopback address requires an API key.
Worker threads are not a sandbox: only serve code you trust.`

export const INVOKE_HELP = `Usage: lambdalet invoke <name> [dir] [options]

Runs one invocation of <name> in an embedded host. The result (JSON) goes to
stdout; START / END / REPORT and the function's own log lines to stderr.
Exits with 1 when the function fails (its error JSON is printed on stdout).

Options:
  --event <json>           the event (default {})
  --event-file <file>      read the event from a file ("-" for stdin)
  --config <file>          a config file (replaces [dir]/lambdalet.json)
  --log-format <format>    text (default) or json
  --log-level <level>      debug, info (default), warn, error or silent
  -h, --help               show this help`
