import { defineConfig } from 'vitest/config';

// `npm run test:container`: builds the image with podman and runs it; kept out
// of `npm test` because it needs root, podman and a few minutes.
export default defineConfig({
  test: {
    include: ['test/container/**/*.container.ts'],
    testTimeout: 120_000,
    hookTimeout: 900_000,
  },
});
