/// <reference types="vitest/config" />
import { defineConfig } from 'vite';

// The page is served by the local runtime (and by CloudFront when deployed) from the site root,
// with an SPA fallback, so assets use absolute paths. JSX compiles against Preact directly: no
// compat layer, no Babel.
export default defineConfig({
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    manifest: true,
    sourcemap: false,
  },
  server: {
    // `npm run dev` proxies the API to a local runtime started on port 8080 (local/run).
    proxy: { '/api': 'http://127.0.0.1:8080', '/config.json': 'http://127.0.0.1:8080' },
  },
  // `npm test`: unit tests of the page's state (the call model) without a browser; happy-dom
  // gives the modules the storage and document they read as they load.
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'happy-dom',
  },
});
