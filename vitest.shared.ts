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
    test: { name, include: ['src/**/*.test.ts'] },
  });
}
