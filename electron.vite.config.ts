import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

// Main and preload are bundled for Electron; the renderer is a plain React app that also runs
// in a browser through the loopback `serve` transport.
export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        // The CLI is an entry too: bin/cogniforce-analytics.mjs runs it when it is up to date
        // (it starts in half the time of the sources through tsx). The analysis worker is a
        // thread entry of its own, found beside whichever file holds analysis-pool.ts.
        input: {
          index: resolve('src/main/index.ts'),
          cli: resolve('src/main/cli.ts'),
          'analysis-worker': resolve('src/main/core/pipeline/analysis-worker.ts'),
        },
        // Shared chunks sit beside the entries, so a path relative to the code (the worker, the
        // renderer) is the same from an entry as from a chunk.
        output: { chunkFileNames: '[name]-[hash].js' },
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload can only require 'electron': bundle everything else into it.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve('src/renderer'),
    plugins: [react()],
    build: {
      minify: true,
      // The dashboard chunk carries echarts (tree-shaken, ~540 kB); it loads on demand.
      chunkSizeWarningLimit: 600,
      rollupOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
  },
});
