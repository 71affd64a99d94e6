import { defineConfig } from 'vitest/config';

/**
 * In-repo packages resolve each other's TypeScript sources through the `@ksock/source` export condition,
 * so tests never run against a stale build. Vitest runs tests in Vite's SSR environment, which has its own
 * condition list, so both are set.
 */
const conditions = ['@ksock/source', 'module', 'node', 'development|production'];

/** The vitest project of one workspace package: its tests are `src/**\/*.test.ts`. */
export function ksockProject(name: string) {
  return defineConfig({
    resolve: { conditions },
    ssr: { resolve: { conditions } },
    // CI runs every workspace's suite in parallel on two cores; the first test of a file may wait for
    // Vite to transform a whole family package, so the 5 s default is too tight there.
    test: { name, include: ['src/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 30_000 },
  });
}
