import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "../support/browser.ts";
import { type HubProcess, startHubProcess, stopHubProcesses } from "../support/hub-process.ts";
import { api } from "../support/hub.ts";
import { serveSite, type StaticSite } from "../support/static-server.ts";
import { ensureWidgetBundle, HOSTILE_CSS, hostPage, recorded, RUNTIMES } from "./pages.ts";

const RED = "rgb(255, 0, 0)";
/** Typography set on every element, the widgets' hosts included. */
const UNIVERSAL_TYPOGRAPHY = `* { color: red; font-size: 2px; font-family: cursive; }`;

for (const runtime of RUNTIMES) {
  describe(`a host page on another origin, hub on ${runtime}`, () => {
    let hub: HubProcess;
    let site: StaticSite;
    let browser: Browser;
    const pageErrors: Error[] = [];

    before(async () => {
      await ensureWidgetBundle();
      hub = await startHubProcess(runtime, {});
      site = await serveSite({
        "/portal.html": hostPage({
          scriptOrigin: hub.url,
          css: HOSTILE_CSS,
          body: `<connection-indicator></connection-indicator>
            <job-progress type="extraction" input='{"durationMs":1500}' controls></job-progress>`,
        }),
        "/watch.html": hostPage({
          scriptOrigin: hub.url,
          body: `<job-progress></job-progress>
            <script>document.querySelector("job-progress").setAttribute("job-id", new URLSearchParams(location.search).get("job"));</script>`,
        }),
        "/universal-selector.html": hostPage({
          scriptOrigin: hub.url,
          css: UNIVERSAL_TYPOGRAPHY,
          body: `<job-progress type="extraction" input='{"durationMs":100}' autostart></job-progress>`,
        }),
        "/long-job.html": hostPage({
          scriptOrigin: hub.url,
          body: `<connection-indicator></connection-indicator>
            <job-progress type="extraction" input='{"durationMs":60000}' autostart></job-progress>`,
        }),
      });
      browser = await launchChromium();
    });

    after(async () => {
      await browser?.close();
      await site?.close();
      await stopHubProcesses();
    });

    afterEach(() => assert.deepEqual(pageErrors.splice(0), [], "no uncaught errors on the pages"));

    async function open(path: string): Promise<Page> {
      const page = await browser.newPage();
      page.on("pageerror", (error) => pageErrors.push(error));
      await page.goto(site.url + path);
      return page;
    }

    test("hostile page CSS neither hides nor restyles the widgets, and a job started from one runs to completion", async () => {
      const page = await open("/portal.html");
      await page.locator("connection-indicator[state=live][transport=websocket]").waitFor();

      // The page hides every button; the widget's own Start button still shows and works.
      const startButton = page.locator("job-progress button");
      assert.ok(await startButton.isVisible(), "the Start button inside <job-progress> is visible");
      await startButton.click();
      await page.locator('job-progress .base[data-status="running"]').waitFor({ timeout: 5_000 });
      assert.ok(await page.locator('job-progress button[data-control="cancel"]').isVisible(), "the Cancel button is visible");
      await page.locator('job-progress .base[data-status="completed"]').waitFor({ timeout: 10_000 });

      const { completions } = await recorded(page);
      assert.equal(completions.length, 1, "one jobcast-complete event");
      assert.equal(completions[0]!.status, "completed");
      const jobId = await page.locator("job-progress").getAttribute("job-id");
      assert.equal(completions[0]!.id, jobId);
      assert.deepEqual(completions[0]!.result, (await api(hub.url, "GET", `/v1/jobs/${jobId}`)).body.result);

      for (const part of ["base", "header", "name", "status", "track", "fill", "details", "output"]) {
        assert.ok(await page.locator(`job-progress [part~="${part}"]`).first().isVisible(), `<job-progress> part ${part} is visible`);
      }
      assert.ok(await page.locator("job-progress .percent").isVisible(), "the percentage is visible");
      assert.ok(await page.locator('connection-indicator [part="label"]').isVisible(), "the indicator's label is visible");
      const styles = await nameTypography(page);
      assert.notEqual(styles.color, RED, "the page's text colour does not reach inside");
      assert.ok(styles.fontSize >= 10, `the page's font size does not reach inside (${styles.fontSize}px)`);
      assert.doesNotMatch(styles.fontFamily, /cursive/);
      await page.close();
    });

    test("typography the page sets with `*` does not reach inside the widgets", async () => {
      const page = await open("/universal-selector.html");
      await page.locator('job-progress .base[data-status="completed"]').waitFor({ timeout: 10_000 });
      const styles = await nameTypography(page);
      await page.close();
      assert.notEqual(styles.color, RED);
      assert.ok(styles.fontSize >= 10, `font size inside: ${styles.fontSize}px`);
      assert.doesNotMatch(styles.fontFamily, /cursive/);
    });

    test("two tabs watching the same job both see it complete", async () => {
      const { body: job } = await api(hub.url, "POST", "/v1/jobs", { type: "extraction", input: { durationMs: 2500 } });
      const tabs = await Promise.all([open(`/watch.html?job=${job.id}`), open(`/watch.html?job=${job.id}`)]);
      await Promise.all(tabs.map((tab) => tab.locator('job-progress .base[data-status="running"]').waitFor({ timeout: 5_000 })));
      await Promise.all(tabs.map((tab) => tab.locator('job-progress .base[data-status="completed"]').waitFor({ timeout: 10_000 })));
      for (const tab of tabs) {
        const { completions } = await recorded(tab);
        assert.deepEqual(completions.map((completed) => completed.id), [job.id]);
        await tab.close();
      }
    });

    test("the indicator goes reconnecting, then live, when the hub is killed and restarted mid-job", async () => {
      const page = await open("/long-job.html");
      await page.locator("connection-indicator[state=live]").waitFor();
      await page.locator('job-progress .base[data-status="running"]').waitFor({ timeout: 5_000 });

      await hub.kill("SIGKILL");
      await page.locator("connection-indicator[state=reconnecting]").waitFor({ timeout: 5_000 });
      await hub.restart();
      await page.locator("connection-indicator[state=live]").waitFor({ timeout: 30_000 });

      const { indicatorStates } = await recorded(page);
      assert.deepEqual(indicatorStates.slice(0, 2), ["connecting", "live"]);
      assert.equal(indicatorStates.at(-1), "live");
      assert.ok(indicatorStates.slice(2, -1).every((state) => state === "reconnecting"), `states: ${indicatorStates.join(" → ")}`);
      // An in-memory hub forgot the job when it died: the widget says so instead of showing it running forever.
      const { body: health } = await api(hub.url, "GET", "/healthz");
      if (health.engine === "memory") await page.locator('job-progress .base[data-status="unknown"]').waitFor({ timeout: 5_000 });
      await page.close();
    });

    test("the hub's demo page starts a job of each demo type and shows it live, with no failed request or console error", async () => {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
      page.on("console", (message) => message.type() === "error" && problems.push(`console error: ${message.text()}`));
      page.on("response", (response) => response.status() >= 400 && problems.push(`${response.status()} ${response.url()}`));
      await page.goto(`${hub.url}/`);
      await page.locator("connection-indicator[state=live]").waitFor();

      const types = await page.locator("button[data-type]").evaluateAll((buttons) =>
        buttons.map((button) => (button as HTMLElement).dataset["type"]!)
      );
      assert.ok(types.includes("migration") && types.length >= 2, `a button per demo type (${types.join(", ")})`);
      for (const type of types) await page.locator(`button[data-type="${type}"]`).click();

      await page.waitForFunction((count) => document.querySelectorAll("#jobs job-progress[job-id]").length === count, types.length);
      for (const widget of await page.locator("#jobs job-progress").all()) {
        await widget.locator('.base[data-status="running"], .base[data-status="completed"]').waitFor({ timeout: 10_000 });
      }
      await page.locator('migration-board [role="row"][data-id]').first().waitFor({ timeout: 5_000 });
      await page.close();
      assert.deepEqual(problems, []);
    });
  });
}

/** The computed typography of the job's name, deep inside `<job-progress>`. */
function nameTypography(page: Page): Promise<{ color: string; fontSize: number; fontFamily: string }> {
  return page.locator('job-progress [part~="name"]').evaluate((name) => {
    const style = getComputedStyle(name);
    return { color: style.color, fontSize: parseFloat(style.fontSize), fontFamily: style.fontFamily };
  });
}
