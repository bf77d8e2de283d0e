import { defineConfig } from 'vitest/config';

// `npm run test:sea`: the single executables, built first by build:sea (about a
// minute and 200 MB) and the arm64 one run under qemu (seconds per start); kept
// out of `npm test` for that time, run by CI as its own step.
export default defineConfig({
  test: {
    include: ['test/sea/**/*.sea.ts'],
    testTimeout: 300_000,
    hookTimeout: 60_000,
  },
});
