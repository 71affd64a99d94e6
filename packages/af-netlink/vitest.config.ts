import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@ksock/source'] },
  test: { name: 'af-netlink', include: ['src/**/*.test.ts'] },
});
