import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

const jobcastTags = new Set(['jobcast-hub', 'connection-indicator', 'job-progress', 'migration-board']);

// `vite build --config examples/vue/vite.config.ts` → examples/vue/dist, loadable from any folder.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [
    // The Jobcast tags are custom elements, not Vue components.
    vue({ template: { compilerOptions: { isCustomElement: (tag) => jobcastTags.has(tag) } } }),
  ],
  build: { target: 'es2022', outDir: 'dist', emptyOutDir: true },
});
