import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // Real worker threads: cold starts and deliberate timeouts take seconds.
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
})
