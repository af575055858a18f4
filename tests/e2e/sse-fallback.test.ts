import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser } from "playwright-core";
import { launchChromium } from "../support/browser.ts";
import { type HubProcess, startHubProcess, stopHubProcesses } from "../support/hub-process.ts";
import { serveSite, type StaticSite } from "../support/static-server.ts";
import { startUpgradeBlockingProxy, type UpgradeBlockingProxy } from "../support/upgrade-blocking-proxy.ts";
import { ensureWidgetBundle, hostPage, recorded, RUNTIMES } from "./pages.ts";

for (const runtime of RUNTIMES) {
  describe(`behind a proxy that refuses WebSocket upgrades, hub on ${runtime}`, () => {
    let hub: HubProcess;
    let proxy: UpgradeBlockingProxy;
    let site: StaticSite;
    let browser: Browser;

    before(async () => {
      await ensureWidgetBundle();
      hub = await startHubProcess(runtime, {});
      proxy = await startUpgradeBlockingProxy(hub.url);
      site = await serveSite({
        "/portal.html": hostPage({
          scriptOrigin: proxy.url,
          body: `<connection-indicator></connection-indicator>
            <job-progress type="extraction" input='{"durationMs":1500}' autostart></job-progress>`,
        }),
      });
      browser = await launchChromium();
    });

    after(async () => {
      await browser?.close();
      await site?.close();
      await proxy?.close();
      await stopHubProcesses();
    });

    test("the widgets fall back to SSE and the job completes", async () => {
      const page = await browser.newPage();
      await page.goto(`${site.url}/portal.html`);
      await page.locator("connection-indicator[state=live][transport=sse]").waitFor({ timeout: 15_000 });
      await page.locator('job-progress .base[data-status="completed"]').waitFor({ timeout: 10_000 });

      assert.ok(proxy.refusedUpgrades >= 1, "the page tried a WebSocket first");
      const { completions, indicatorStates } = await recorded(page);
      assert.deepEqual(completions.map((job) => job.status), ["completed"]);
      assert.deepEqual(indicatorStates, ["connecting", "live"]);
      assert.equal(await page.locator("connection-indicator").getAttribute("transport"), "sse");
      await page.close();
    });
  });
}
