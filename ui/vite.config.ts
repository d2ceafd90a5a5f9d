/// <reference types="vitest/config" />
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The bundle goes into the Python package, so an installed `argus_web` serves it from
// any working directory (DESIGN.md §7).
const outDir = fileURLToPath(new URL('../argus_web/static', import.meta.url));

export default defineConfig({
  base: '/',
  plugins: [react()],
  build: {
    outDir,
    emptyOutDir: true,
    // No source maps: the committed bundle stays small and diffs stay readable.
    sourcemap: false,
  },
  server: {
    // `npm run dev` talks to `uv run argus demo` on the default port.
    proxy: { '/api': 'http://127.0.0.1:8000' },
  },
  test: {
    environment: 'happy-dom',
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
  },
});
