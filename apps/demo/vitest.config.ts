import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@ksock/source'] },
  test: { name: 'demo', include: ['src/**/*.test.ts'] },
});
