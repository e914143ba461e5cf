import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    // One real PostgreSQL server for the run (issue 17): the run fails, saying how to get one, if it cannot start.
    globalSetup: ['test/global-postgres.ts'],
    // No test reaches the internet: live model lookup is off unless a test points it at a loopback fake.
    env: { MODEL_LOOKUP: 'off' },
  },
});
