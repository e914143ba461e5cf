import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    // No test reaches the internet: live model lookup is off unless a test points it at a loopback fake.
    env: { MODEL_LOOKUP: 'off' },
  },
});
