import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App hub={new URLSearchParams(location.search).get('hub') ?? 'http://127.0.0.1:8787'} />
  </StrictMode>,
);
