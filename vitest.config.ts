import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real servers and real files: give slow CI machines room, but keep the suite short.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
