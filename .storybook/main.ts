import type { StorybookConfig } from '@storybook/web-components-vite';

const config: StorybookConfig = {
  stories: ['../stories/**/*.stories.ts'],
  addons: ['@storybook/addon-docs', '@storybook/addon-a11y'],
  framework: { name: '@storybook/web-components-vite', options: {} },
  core: { disableTelemetry: true },
  viteFinal(viteConfig) {
    // The renderer imports lit/directive-helpers.js, which the dev server would otherwise serve
    // unbundled, next to the pre-bundled lit: two lit-html instances on the page.
    const include = viteConfig.optimizeDeps?.include ?? [];
    return { ...viteConfig, optimizeDeps: { ...viteConfig.optimizeDeps, include: [...include, 'lit/directive-helpers.js'] } };
  },
};

export default config;
