import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { build } from "vite";
import type { HubRuntime } from "../support/hub-process.ts";

export const RUNTIMES: readonly HubRuntime[] = ["node", "deno"];

const root = fileURLToPath(new URL("../..", import.meta.url));

/** The hub serves dist/jobcast.js; builds it unless `npm run build:widgets` already did. */
export async function ensureWidgetBundle(): Promise<void> {
  if (existsSync(`${root}dist/jobcast.js`)) return;
  await build({ root, configFile: `${root}vite.config.ts`, logLevel: "warn" });
}

/**
 * What a careless portal ships: resets and overrides aimed at its own markup, matching every
 * `div`, `span`, `p`, `button`… of the page, and typography set on `body`.
 */
export const HOSTILE_CSS = `
  body { color: red !important; font: 2px/0 cursive !important; letter-spacing: 4px; text-transform: uppercase; }
  div, span, p, pre, [role="progressbar"], [role="status"] { display: none !important; visibility: hidden !important; opacity: 0 !important; }
  button { display: none !important; }
  * { box-sizing: content-box !important; margin: 0 !important; padding: 0 !important; transition: none !important; }
`;

/**
 * A host page that loads the widgets with one script tag from `scriptOrigin` and records, for the
 * test to read, every `jobcast-complete` (`window.completions`) and every `state` the first
 * `<connection-indicator>` takes (`window.indicatorStates`).
 */
export function hostPage({ scriptOrigin, body, css = "" }: { scriptOrigin: string; body: string; css?: string }): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <link rel="icon" href="data:,">
    <title>Portal</title>
    <style>${css}</style>
    <script type="module" src="${scriptOrigin}/widgets/jobcast.js"></script>
  </head>
  <body>
    <main>${body}</main>
    <script>
      window.completions = [];
      document.addEventListener("jobcast-complete", (event) => completions.push(event.detail.job));
      window.indicatorStates = [];
      const indicator = document.querySelector("connection-indicator");
      if (indicator) {
        new MutationObserver(() => {
          const state = indicator.getAttribute("state");
          if (state !== indicatorStates.at(-1)) indicatorStates.push(state);
        }).observe(indicator, { attributes: true, attributeFilter: ["state"] });
      }
    </script>
  </body>
</html>`;
}

/** What the host page recorded (see {@link hostPage}). */
export interface Recorded {
  completions: { id: string; status: string; result: unknown }[];
  indicatorStates: string[];
}

export function recorded(page: Page): Promise<Recorded> {
  return page.evaluate(() => {
    const recording = window as unknown as Recorded;
    return { completions: recording.completions, indicatorStates: recording.indicatorStates };
  });
}
