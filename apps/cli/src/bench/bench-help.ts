export const BENCH_HELP = `Usage: lambdalet bench <handler-file | name> [dir] [options]

Benchmarks a handler in the same embedded host that serves it: cold starts
(Init Duration, first invocation), warm throughput and latency at each
concurrency level, memory, and the billed duration in GB-seconds.

  lambdalet bench fn.mjs                 a handler file (fn.mjs#export for another export)
  lambdalet bench hello [dir]            a function of [dir] or of --config, as serve finds it

Options:
  --cold <n>                  fresh environments to sample (default 10; 0 skips)
  --concurrency <list>        warm levels, e.g. 1,4,16 (default 1,4,16)
  --duration <time>           each level runs this long, e.g. 10s or 500ms (default 5s)
  --requests <n>              or this many invocations per level
  --event <json>              the event (default {}); a JSON array is sent item by item, in turn
  --event-file <file>         the same, from a file
  --memory <mb>               the function's memory (JS heap limit), 128 to 10240
  --timeout <time>            the function's timeout, e.g. 3s
  --http                      go through the Invoke API of a server started on 127.0.0.1
                              (what lambdalet serve runs), loaded by autocannon
  --json <file>               write every figure to a JSON file
  --compare <base.json>       print the change of each figure against an earlier --json file
  --fail-on-regression <pct>  with --compare: exit 1 when throughput fell, or a latency
                              percentile (p50, p90, p99) rose, by more than <pct> %
  --config <file>             a config file (replaces [dir]/lambdalet.json)
  -h, --help                  show this help

A progress bar is drawn on stderr when it is a terminal; the summary goes to stdout.`
