import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  resolve: {
    // The protocol is shared with the server; client/tsconfig.json maps the same alias.
    alias: { '@protocol': fileURLToPath(new URL('../server/src/protocol', import.meta.url)) },
  },
  build: {
    outDir: fileURLToPath(new URL('../dist/client', import.meta.url)),
    emptyOutDir: true,
    // The production build serves no source map (it would publish the source).
    sourcemap: false,
  },
});
