// Builds the two pages of the browser UI (employee chat and admin console)
// into web/dist, which the server serves: index.html at `/`, admin.html at
// `/admin`, and the hashed bundles under `/assets/`.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const webRoot = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: webRoot,
  base: '/',
  publicDir: false,
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  // `npx vite --config web/vite.config.ts` serves the UI with live reload and
  // sends API calls to a running Docent (DOCENT_URL, default the local one).
  server: {
    host: '127.0.0.1',
    proxy: { '/api': process.env.DOCENT_URL ?? 'http://127.0.0.1:8000' },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    // The server's Content-Security-Policy allows no inline script, so nothing may be inlined.
    assetsInlineLimit: 0,
    rollupOptions: {
      input: {
        index: fileURLToPath(new URL('index.html', import.meta.url)),
        admin: fileURLToPath(new URL('admin.html', import.meta.url)),
      },
      output: {
        chunkFileNames: 'assets/shared-[hash].js',
        // Style sheets are named for what they are, not for the chunk that imported them first.
        assetFileNames: (asset) =>
          asset.names.some((name) => name.endsWith('.css'))
            ? 'assets/styles-[hash][extname]'
            : 'assets/[name]-[hash][extname]',
      },
    },
  },
});
