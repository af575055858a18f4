import type { Plugin } from 'vite';

export function minifyCss(text: string): string;
export function minifyHtml(text: string): string;
export function minifyLitTemplates(code: string, lang: 'js' | 'ts'): string | null;
export function minifyLitTemplatesPlugin(): Plugin;
