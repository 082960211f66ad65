import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The renderer alone, as a plain Vite build: what electron-vite builds for the window, usable
// without the Electron binary (`npx vite build -c vite.renderer.config.ts`) and by `serve`.
export default defineConfig({
  root: resolve('src/renderer'),
  base: './',
  plugins: [react()],
  build: {
    outDir: resolve('out/renderer'),
    emptyOutDir: true,
    minify: true,
    chunkSizeWarningLimit: 600,
    rollupOptions: { input: { index: resolve('src/renderer/index.html') } },
  },
});
