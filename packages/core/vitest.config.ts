import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@ksock/source'] },
  test: { name: 'core', include: ['src/**/*.test.ts'] },
});
