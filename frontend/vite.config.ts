import { fileURLToPath, URL } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// The build lands in the API's wwwroot: the API serves the app at /.
export default defineConfig({
  plugins: [react()],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  build: {
    outDir: '../backend/src/FlowLens.Api/wwwroot',
    emptyOutDir: true,
    // ECharts alone is ~580 kB minified (~200 kB gzipped) even with only the charts used imported.
    chunkSizeWarningLimit: 700,
    rolldownOptions: {
      output: {
        // Libraries in chunks of their own: cached across releases of the app's own code.
        codeSplitting: {
          groups: [
            { name: 'echarts', test: /node_modules[\\/](echarts|zrender)[\\/]/ },
            { name: 'mantine', test: /node_modules[\\/]@mantine[\\/]/ },
            { name: 'vendor', test: /node_modules[\\/]/ },
          ],
        },
      },
    },
  },
  server: {
    host: '127.0.0.1',
    // `npm run dev` talks to a FlowLens API on its default local port.
    proxy: { '/api': 'http://127.0.0.1:5080', '/swagger': 'http://127.0.0.1:5080' },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/testing/setup.ts'],
    testTimeout: 20_000,
  },
});
