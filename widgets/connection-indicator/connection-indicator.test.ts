import { aTimeout, expect, fixture, html, waitUntil } from '@open-wc/testing';
import { emulateMedia, sendKeys } from '@web/test-runner-commands';
import type { ConnectOptions } from '../client/types.ts';
import '../hub/jobcast-hub.ts';
import type { JobcastHub } from '../hub/jobcast-hub.ts';
import { FakeHub, type FakeHubOptions } from '../testing/fake-hub.ts';
import { ConnectionIndicator } from './connection-indicator.ts';

let hubCount = 0;
const cleanups: Array<() => void | Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function fakeHub(options: FakeHubOptions = {}, connectOptions: ConnectOptions = {}): FakeHub {
  const hub = new FakeHub(`fake://indicator-${++hubCount}`, {
    ...options,
    connectOptions: { releaseDelayMs: 10, backoff: { baseMs: 20, maxMs: 100 }, ...connectOptions },
  });
  cleanups.push(() => hub.dispose());
  return hub;
}

function indicator(hub: FakeHub): Promise<ConnectionIndicator> {
  return fixture<ConnectionIndicator>(html`<connection-indicator hub=${hub.hubUrl}></connection-indicator>`);
}

const part = (element: ConnectionIndicator, name: string) => element.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);
const labelText = (element: ConnectionIndicator) => part(element, 'label')?.textContent?.trim();
const statusText = (element: ConnectionIndicator) => element.shadowRoot!.querySelector('[role="status"]')!.textContent!.trim();
const tone = (element: ConnectionIndicator) => part(element, 'dot')!.dataset['tone'];

function becomes(element: ConnectionIndicator, state: string, label?: string): Promise<unknown> {
  return waitUntil(
    () => element.getAttribute('state') === state && (label === undefined || labelText(element) === label),
    `expected ${state} "${label ?? ''}", was ${element.getAttribute('state')} "${labelText(element)}"`,
    { interval: 5, timeout: 3_000 },
  );
}

describe('<connection-indicator> states', () => {
  it('connecting: a pulsing dot, no transport, no button', async () => {
    const hub = fakeHub();
    hub.silent = true;
    const element = await indicator(hub);
    expect(element.getAttribute('state')).to.equal('connecting');
    expect(labelText(element)).to.equal('Connecting…');
    expect(statusText(element)).to.equal('Connection: Connecting…');
    expect(element.hasAttribute('transport')).to.equal(false);
    expect(tone(element)).to.equal('connecting');
    expect(getComputedStyle(part(element, 'dot')!).animationName).to.equal('pulse');
    expect(part(element, 'button')).to.equal(null);
    await expect(element).to.be.accessible();
  });

  it('live over WebSocket: label, transport and latency', async () => {
    const hub = fakeHub({ latencyMs: 40 });
    const element = await indicator(hub);
    await becomes(element, 'live', 'Live');
    expect(element.getAttribute('transport')).to.equal('websocket');
    expect(statusText(element)).to.equal('Connection: Live');
    expect(tone(element)).to.equal('live');
    await waitUntil(() => part(element, 'latency'), 'latency shown');
    expect(part(element, 'latency')!.textContent).to.match(/^\d+ ms$/);
    // A round trip through a hub 40 ms away cannot take less; how much more depends on the machine.
    expect(parseInt(part(element, 'latency')!.textContent!, 10)).to.be.at.least(35);
    expect(part(element, 'button')).to.equal(null);
    expect(element.hasAttribute('stale')).to.equal(false);
    await expect(element).to.be.accessible();
  });

  it('fallback (SSE): a ring instead of a disc, no latency', async () => {
    const hub = fakeHub();
    hub.refuseWebSocket = true;
    const element = await indicator(hub);
    await becomes(element, 'live', 'Fallback (SSE)');
    expect(element.getAttribute('transport')).to.equal('sse');
    expect(statusText(element)).to.equal('Connection: Fallback (SSE)');
    expect(tone(element)).to.equal('fallback');
    expect(getComputedStyle(part(element, 'dot')!).backgroundColor).to.equal('rgba(0, 0, 0, 0)');
    expect(part(element, 'latency')).to.equal(null);
    await expect(element).to.be.accessible();
  });

  it('reconnecting: counts down to the next attempt every second', async () => {
    const hub = fakeHub({}, { backoff: { baseMs: 4_000, maxMs: 4_000 }, random: () => 0.99 });
    const element = await indicator(hub);
    await becomes(element, 'live');
    hub.unreachable = true;
    hub.disconnect();
    await becomes(element, 'reconnecting', 'Reconnecting in 4 s');
    expect(element.hasAttribute('transport')).to.equal(false);
    expect(statusText(element), 'the live region does not tick').to.equal('Connection: Reconnecting…');
    expect(tone(element)).to.equal('reconnecting');
    expect(part(element, 'button')!.textContent!.trim()).to.equal('Reconnect now');
    await expect(element).to.be.accessible();
    await becomes(element, 'reconnecting', 'Reconnecting in 3 s');
    expect(statusText(element)).to.equal('Connection: Reconnecting…');
  });

  it('offline: follows the browser', async () => {
    const hub = fakeHub();
    const element = await indicator(hub);
    await becomes(element, 'live');
    hub.goOffline();
    cleanups.push(() => hub.goOnline());
    await becomes(element, 'offline', 'Offline');
    expect(statusText(element)).to.equal('Connection: Offline');
    expect(tone(element)).to.equal('offline');
    expect(part(element, 'button')).to.not.equal(null);
    await expect(element).to.be.accessible();
    hub.goOnline();
    await becomes(element, 'live', 'Live');
  });

  it('stale: marks a live connection that has been silent for longer than the heartbeat allows', async () => {
    const hub = fakeHub({ heartbeatMs: 100 }, { heartbeatTimeoutMs: 10_000, pingIntervalMs: 60_000 });
    const element = await indicator(hub);
    await becomes(element, 'live');
    await aTimeout(250);
    expect(element.hasAttribute('stale'), 'heartbeats keep it fresh').to.equal(false);

    hub.silent = true;
    await waitUntil(() => element.hasAttribute('stale'), 'stale after 1.5 heartbeats', { timeout: 1_000 });
    expect(element.getAttribute('state')).to.equal('live');
    expect(part(element, 'stale')!.textContent).to.equal('Stale');
    expect(statusText(element)).to.equal('Connection: Live, Stale');
    expect(tone(element)).to.equal('stale');
    expect(part(element, 'button')).to.not.equal(null);
    await expect(element).to.be.accessible();

    hub.silent = false;
    await waitUntil(() => !element.hasAttribute('stale'), 'fresh again after the next heartbeat', { timeout: 2_000 });
    expect(part(element, 'stale')).to.equal(null);
  });
});

describe('<connection-indicator> behaviour', () => {
  it('reflects state and transport as attributes through every transition', async () => {
    const hub = fakeHub({}, { random: () => 0.5 });
    const element = await indicator(hub);
    const seen = new Set<string>();
    const observer = new MutationObserver(() =>
      seen.add(`${element.getAttribute('state')}/${element.getAttribute('transport') ?? '-'}`),
    );
    observer.observe(element, { attributes: true, attributeFilter: ['state', 'transport'] });
    cleanups.push(() => observer.disconnect());
    await becomes(element, 'live');
    hub.unreachable = true;
    hub.disconnect();
    await becomes(element, 'reconnecting');
    hub.unreachable = false;
    hub.refuseWebSocket = true;
    await waitUntil(() => element.getAttribute('transport') === 'sse');
    expect([...seen]).to.include.members(['live/websocket', 'reconnecting/-', 'live/sse']);
  });

  it('"reconnect now" reconnects at once, by click or keyboard', async () => {
    const hub = fakeHub({}, { backoff: { baseMs: 60_000, maxMs: 60_000 }, random: () => 0.9 });
    const element = await indicator(hub);
    await becomes(element, 'live');
    hub.unreachable = true;
    hub.disconnect();
    await becomes(element, 'reconnecting');
    hub.unreachable = false;
    part(element, 'button')!.click();
    await becomes(element, 'live');
    expect(part(element, 'button')).to.equal(null);

    hub.unreachable = true;
    hub.disconnect();
    await becomes(element, 'reconnecting');
    hub.unreachable = false;
    part(element, 'button')!.focus();
    expect(element.shadowRoot!.activeElement).to.equal(part(element, 'button'));
    await sendKeys({ press: 'Enter' });
    await becomes(element, 'live');
  });

  it('compact: only the dot, still named for assistive technology', async () => {
    const hub = fakeHub();
    const element = await fixture<ConnectionIndicator>(
      html`<connection-indicator compact hub=${hub.hubUrl}></connection-indicator>`,
    );
    await becomes(element, 'live');
    await waitUntil(() => part(element, 'latency'));
    expect(getComputedStyle(part(element, 'dot')!).display).to.not.equal('none');
    expect(getComputedStyle(part(element, 'label')!).display).to.equal('none');
    expect(getComputedStyle(part(element, 'latency')!).display).to.equal('none');
    expect(statusText(element)).to.equal('Connection: Live');
    expect(part(element, 'base')!.title).to.equal('Live');
    expect(element.getBoundingClientRect().width).to.be.below(30);
    await expect(element).to.be.accessible();
  });

  it('takes translated labels from the property or the labels attribute', async () => {
    const hub = fakeHub();
    const element = await fixture<ConnectionIndicator>(
      html`<connection-indicator hub=${hub.hubUrl} labels='{"name":"Verbindung","live":"Verbunden"}'></connection-indicator>`,
    );
    await becomes(element, 'live', 'Verbunden');
    expect(statusText(element)).to.equal('Verbindung: Verbunden');
    element.labels = { live: 'En direct', name: 'Connexion' };
    await element.updateComplete;
    expect(labelText(element)).to.equal('En direct');
    expect(statusText(element)).to.equal('Connexion: En direct');
  });

  it('uses the connection of an enclosing <jobcast-hub>', async () => {
    const hub = fakeHub();
    const provider = await fixture<JobcastHub>(
      html`<jobcast-hub hub=${hub.hubUrl}><connection-indicator></connection-indicator></jobcast-hub>`,
    );
    const element = provider.querySelector('connection-indicator')!;
    await becomes(element, 'live');
    expect(element.connection!.hubUrl).to.equal(hub.hubUrl);
  });

  it('shows an already-live shared connection at once', async () => {
    const hub = fakeHub();
    const first = await indicator(hub);
    await becomes(first, 'live');
    const second = await indicator(hub);
    await second.updateComplete;
    await aTimeout(0);
    expect(second.getAttribute('state')).to.equal('live');
  });
});

describe('<connection-indicator> styling', () => {
  afterEach(() => emulateMedia({ colorScheme: 'light', reducedMotion: 'no-preference', forcedColors: 'none' }));

  it('keeps the page’s global CSS out of its internals', async () => {
    const style = document.createElement('style');
    style.textContent = `
      body { color: rgb(255, 0, 0); font: 40px serif; letter-spacing: 7px; }
      span, button { display: none !important; }
    `;
    document.head.append(style);
    cleanups.push(() => style.remove());
    const hub = fakeHub();
    const element = await indicator(hub);
    await becomes(element, 'live');
    const label = getComputedStyle(part(element, 'label')!);
    expect(label.display).to.not.equal('none');
    expect(label.color).to.not.equal('rgb(255, 0, 0)');
    expect(label.fontSize).to.not.equal('40px');
    expect(label.letterSpacing).to.equal('normal');
  });

  it('is themed through --jobcast-* custom properties and ::part', async () => {
    const style = document.createElement('style');
    style.textContent = `
      .themed { --jobcast-success: rgb(1, 2, 3); }
      .themed::part(label) { text-decoration: underline; }
      connection-indicator[state='live'] { outline: 1px solid rgb(9, 9, 9); }
    `;
    document.head.append(style);
    cleanups.push(() => style.remove());
    const hub = fakeHub();
    const element = await fixture<ConnectionIndicator>(
      html`<connection-indicator class="themed" hub=${hub.hubUrl}></connection-indicator>`,
    );
    await becomes(element, 'live');
    expect(getComputedStyle(part(element, 'dot')!).backgroundColor).to.equal('rgb(1, 2, 3)');
    expect(getComputedStyle(part(element, 'label')!).textDecorationLine).to.equal('underline');
    expect(getComputedStyle(element).outlineColor, 'host CSS reacts to the state attribute').to.equal('rgb(9, 9, 9)');
  });

  it('follows the colour scheme, reduced motion and forced colours', async () => {
    const hub = fakeHub();
    hub.silent = true;
    const element = await indicator(hub);
    const dot = part(element, 'dot')!;
    await emulateMedia({ colorScheme: 'light' });
    const light = getComputedStyle(dot).backgroundColor;
    await emulateMedia({ colorScheme: 'dark' });
    expect(getComputedStyle(dot).backgroundColor).to.not.equal(light);

    expect(getComputedStyle(dot).animationName).to.equal('pulse');
    await emulateMedia({ reducedMotion: 'reduce' });
    expect(getComputedStyle(dot).animationName).to.equal('none');

    await emulateMedia({ forcedColors: 'active' });
    expect(getComputedStyle(dot).borderTopStyle).to.equal('solid');
    expect(getComputedStyle(dot).forcedColorAdjust).to.equal('none');
  });

  it('lays out along the inline direction, right to left too', async () => {
    const hub = fakeHub();
    hub.silent = true;
    const wrapper = await fixture<HTMLDivElement>(
      html`<div dir="rtl"><connection-indicator hub=${hub.hubUrl}></connection-indicator></div>`,
    );
    const element = wrapper.querySelector('connection-indicator')!;
    await element.updateComplete;
    const dot = part(element, 'dot')!.getBoundingClientRect();
    const label = part(element, 'label')!.getBoundingClientRect();
    expect(dot.left, 'the dot starts the line on the right').to.be.above(label.left);
  });
});
