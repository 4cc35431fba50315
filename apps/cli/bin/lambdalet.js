#!/usr/bin/env node
// The `lambdalet` command. The code lives in dist/ (run `pnpm build` first).
import { main } from '../dist/cli.js'

process.exit(await main(process.argv.slice(2)))
