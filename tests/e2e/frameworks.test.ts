import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { build } from "vite";
import { launchChromium } from "../support/browser.ts";
import { type HubProcess, startHubProcess, stopHubProcesses } from "../support/hub-process.ts";
import { serveSite, type StaticSite } from "../support/static-server.ts";
import { RUNTIMES } from "./pages.ts";

const EXAMPLES = ["react", "vue"] as const;
const examplesDir = fileURLToPath(new URL("../../examples/", import.meta.url));

/** Builds both examples (each with its own vite.config) into a temporary folder. */
async function buildExamples(into: string): Promise<Record<string, string>> {
  const folders: Record<string, string> = {};
  for (const example of EXAMPLES) {
    const outDir = join(into, example);
    await build({ configFile: join(examplesDir, example, "vite.config.ts"), build: { outDir, emptyOutDir: true }, logLevel: "warn" });
    folders[`/${example}/`] = outDir;
  }
  return folders;
}

describe("the React and Vue examples", () => {
  let built: string;
  let site: StaticSite;
  let browser: Browser;

  before(async () => {
    built = await mkdtemp(join(tmpdir(), "jobcast-examples-"));
    site = await serveSite({}, await buildExamples(built));
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await site?.close();
    await stopHubProcesses();
    if (built) await rm(built, { recursive: true, force: true });
  });

  for (const runtime of RUNTIMES) {
    describe(`hub on ${runtime}`, () => {
      let hub: HubProcess;
      before(async () => {
        hub = await startHubProcess(runtime, {});
      });
      after(() => hub?.kill("SIGTERM"));

      for (const example of EXAMPLES) {
        test(`${example}: a button starts a job and the app receives jobcast-complete`, async () => {
          const page = await browser.newPage();
          const errors: Error[] = [];
          page.on("pageerror", (error) => errors.push(error));
          await page.goto(`${site.url}/${example}/?hub=${encodeURIComponent(hub.url)}`);
          await page.locator("connection-indicator[state=live]").waitFor();
          await page.getByRole("button", { name: "Start extraction" }).click();
          await page.locator('job-progress .base[data-status="completed"]').waitFor({ timeout: 10_000 });
          // The paragraph is rendered by the app's own jobcast-complete listener, from the event's detail.
          const completed = await page.locator('p[role="status"]').textContent({ timeout: 2_000 });
          assert.match(completed ?? "", /^Completed: \{.+\}$/);
          assert.deepEqual(errors, []);
          await page.close();
        });
      }
    });
  }
});
