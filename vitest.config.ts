import { defineConfig } from 'vitest/config';

// One root command runs every workspace's tests; each workspace is a vitest project.
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'examples/*'],
  },
});
