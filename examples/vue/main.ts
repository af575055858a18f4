import { createApp } from 'vue';
import '../../widgets/index.ts';
import App from './App.vue';

createApp(App, { hub: new URLSearchParams(location.search).get('hub') ?? 'http://127.0.0.1:8787' }).mount('#app');
