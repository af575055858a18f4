import { fileURLToPath } from 'node:url';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { playwrightLauncher } from '@web/test-runner-playwright';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './scripts/chromium.mjs';
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
      launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
    }),
  ],
  // Lit's development build warns once per page that it is one; that is expected here.
  filterBrowserLogs: ({ args }) => !String(args[0]).startsWith('Lit is in dev mode'),
  testFramework: {
    config: { timeout: 10_000 },
  },
};
