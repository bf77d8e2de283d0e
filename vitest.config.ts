import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Bounds for a hang, not a pace: on a busy 2-core machine a test that starts ddnsd a few
    // times takes several times what it takes idle. Tests wait on readiness (test/helpers/cli.ts).
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
