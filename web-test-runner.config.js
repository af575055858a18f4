import { fileURLToPath } from 'node:url';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { playwrightLauncher } from '@web/test-runner-playwright';
import { minifyLitTemplates } from './scripts/minify-lit-templates.mjs';

// Widget tests in a real Chromium: the distribution's /usr/bin/chromium, never a downloaded one.
export default {
  files: ['widgets/**/*.test.ts'],
  nodeResolve: true,
  plugins: [
    esbuildPlugin({
      ts: true,
      target: 'es2022',
      // Keeps useDefineForClassFields: false, which Lit's reactive class fields rely on.
      tsconfig: fileURLToPath(new URL('./tsconfig.json', import.meta.url)),
    }),
    // The elements are tested with their templates minified as the build ships them.
    {
      name: 'minify-lit-templates',
      transform(context) {
        if (!/^\/widgets\/.*\.ts$/.test(context.path) || context.path.endsWith('.test.ts')) return undefined;
        const body = minifyLitTemplates(context.body, 'js');
        return body === null ? undefined : { body };
      },
    },
  ],
  browsers: [
    playwrightLauncher({
      product: 'chromium',
      launchOptions: {
        executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
        args: [
          '--no-sandbox',
          '--headless',
          '--disable-gpu',
          '--disable-dev-shm-usage',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
          '--disable-quic',
          // Test files run in parallel pages; a page in the background must keep real timers,
          // or reconnect, heartbeat and latency tests see one-second timer throttling.
          '--disable-background-timer-throttling',
          '--disable-renderer-backgrounding',
          '--disable-backgrounding-occluded-windows',
        ],
      },
    }),
  ],
  // Lit's development build warns once per page that it is one; that is expected here.
  filterBrowserLogs: ({ args }) => !String(args[0]).startsWith('Lit is in dev mode'),
  testFramework: {
    config: { timeout: 10_000 },
  },
};
