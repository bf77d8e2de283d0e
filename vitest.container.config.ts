import { defineConfig } from 'vitest/config';

// `npm run test:container`: builds the amd64 and arm64 images with podman and runs them; kept out
// of `npm test` because it needs root, podman and a few minutes.
export default defineConfig({
  test: {
    include: ['test/container/**/*.container.ts'],
    testTimeout: 300_000,
    hookTimeout: 900_000,
  },
});
