import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

// The gateway serves the bundle at /console (apps/session-gateway/src/console). `npx nx serve
// console` runs Vite's dev server and forwards the API to a gateway (CONSOLE_API, default :3000).
export default defineConfig({
  root,
  base: '/console/',
  plugins: [react()],
  resolve: {
    // The lunar terrain generator is pure TypeScript: the flight plot rebuilds the ground and its
    // boulders from the scenario's seed exactly as the simulator did.
    alias: {
      '@reverie/lunar-lander/terrain': fileURLToPath(
        new URL('../../libs/environments/lunar-lander/src/terrain.ts', import.meta.url),
      ),
      // The console calls the API through the TypeScript client's transport.
      '@reverie/client': fileURLToPath(new URL('../../libs/client/src/index.ts', import.meta.url)),
    },
  },
  build: {
    outDir: fileURLToPath(new URL('../../dist/apps/console', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: { '/v1': process.env.CONSOLE_API ?? 'http://127.0.0.1:3000' },
  },
});
