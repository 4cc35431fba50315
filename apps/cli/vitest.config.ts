import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // Real servers and worker threads: cold starts take a while on 2 cores.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // The AWS SDK warns on every run that its 2027 releases will need Node 22.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
})
