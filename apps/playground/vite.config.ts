import { defaultClientConditions, defineConfig } from 'vite';

// The workspace packages are read from their TypeScript sources (the `@ksock/source` condition), as the
// tests and the demo read them. `base: './'` makes every URL in dist/ relative, so the site works from
// any folder of any static server, with no network at all.
export default defineConfig({
  base: './',
  resolve: { conditions: ['@ksock/source', ...defaultClientConditions] },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The objects view names each object by its class (netlink_sock, tcp_sock) and each function
    // pointer by its function (sock_def_readable): minifying must keep those names.
    rolldownOptions: { output: { keepNames: true } },
  },
  server: { host: '127.0.0.1' },
});
