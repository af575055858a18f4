import { defineConfig, type UserConfig } from 'vite';
import { minifyLitTemplatesPlugin } from './scripts/minify-lit-templates.mjs';

/**
 * `vite build`: dist/jobcast.js, the script-tag bundle — every element and Lit in one minified
 * ES module, as the hub serves it at /widgets/jobcast.js.
 *
 * `vite build --mode modules`: dist/modules/, one ES module per element (plus the client and
 * the fake hub) for npm users whose bundler provides Lit, so a page holds one copy of it.
 */
const bundle: UserConfig = {
  plugins: [minifyLitTemplatesPlugin()],
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    copyPublicDir: false,
    lib: {
      entry: 'widgets/index.ts',
      formats: ['es'],
      fileName: () => 'jobcast.js',
    },
    rolldownOptions: {
      // No comments: once minified, even the /* @__PURE__ */ annotations are dead bytes.
      output: { minify: true, comments: false },
    },
  },
};

const modules: UserConfig = {
  build: {
    target: 'es2022',
    outDir: 'dist/modules',
    emptyOutDir: true,
    copyPublicDir: false,
    lib: {
      entry: {
        index: 'widgets/index.ts',
        client: 'widgets/client/index.ts',
        'jobcast-hub': 'widgets/hub/jobcast-hub.ts',
        'connection-indicator': 'widgets/connection-indicator/connection-indicator.ts',
        'job-progress': 'widgets/job-progress/job-progress.ts',
        'migration-board': 'widgets/migration-board/migration-board.ts',
        'fake-hub': 'widgets/testing/fake-hub.ts',
      },
      formats: ['es'],
      fileName: (_format, name) => `${name}.js`,
    },
    rolldownOptions: {
      external: [/^lit(\/|$)/, /^@lit\//],
      output: { chunkFileNames: 'chunks/[name]-[hash].js' },
    },
  },
};

export default defineConfig(({ mode }) => (mode === 'modules' ? modules : bundle));
