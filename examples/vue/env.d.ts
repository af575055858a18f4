declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<{ hub: string }>;
  export default component;
}
