import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { LitElement } from 'lit';
import '../hub/jobcast-hub.ts';
import type { JobcastHub } from '../hub/jobcast-hub.ts';
import { FakeHub } from '../testing/fake-hub.ts';
import { HubController } from './controller.ts';
import { defineElement } from './define.ts';
import { defaultHubUrl, resolveHubUrl } from './hub-url.ts';
import type { ChannelUpdate } from './types.ts';

class ChannelProbe extends LitElement {
  static override properties = { channel: { type: String }, hub: { type: String } };
  declare channel: string | null;
  declare hub: string | null;
  readonly updates: ChannelUpdate[] = [];
  readonly controller = new HubController(this, {
    channel: () => this.channel,
    onUpdate: (update) => this.updates.push(update),
  });

  constructor() {
    super();
    this.channel = null;
    this.hub = null;
  }

  protected override render() {
    const ids = this.controller.jobs.map((job) => job.id).join(',');
    return html`${ids}|${this.controller.connection?.state ?? 'none'}|${this.controller.error?.code ?? ''}`;
  }
}
customElements.define('channel-probe', ChannelProbe);

/** Puts its child in a shadow root, to prove the hub is found across one. */
class ShadowWrapper extends LitElement {
  protected override render() {
    return html`<channel-probe channel="job:a"></channel-probe>`;
  }
}
customElements.define('shadow-wrapper', ShadowWrapper);

let hubCount = 0;
const hubs: FakeHub[] = [];

function fakeHub(): FakeHub {
  const hub = new FakeHub(`fake://controller-${++hubCount}`, { connectOptions: { releaseDelayMs: 10 } });
  hubs.push(hub);
  hub.createJob({ id: 'a', status: 'running' });
  hub.createJob({ id: 'b', status: 'queued' });
  return hub;
}

afterEach(() => {
  for (const hub of hubs.splice(0)) hub.dispose();
});

const text = (element: LitElement) => element.shadowRoot!.textContent!.trim();

describe('HubController', () => {
  it('follows its channel and re-renders the host with the jobs', async () => {
    const hub = fakeHub();
    const probe = await fixture<ChannelProbe>(html`<channel-probe hub=${hub.hubUrl} channel="job:a"></channel-probe>`);
    await waitUntil(() => text(probe) === 'a|live|', `rendered ${text(probe)}`);
    expect(probe.controller.channel).to.equal('job:a');
    expect(probe.controller.job!.id).to.equal('a');
    expect(probe.controller.settled).to.equal(true);

    hub.update('a', { progress: 3 });
    await waitUntil(() => probe.controller.job!.progress.current === 3);
    expect(probe.updates.map((update) => update.type)).to.deep.equal(['snapshot', 'event']);
  });

  it('switches channel when the host changes it', async () => {
    const hub = fakeHub();
    const probe = await fixture<ChannelProbe>(html`<channel-probe hub=${hub.hubUrl} channel="job:a"></channel-probe>`);
    await waitUntil(() => text(probe) === 'a|live|');
    probe.channel = 'job:b';
    await waitUntil(() => text(probe) === 'b|live|', `rendered ${text(probe)}`);
    expect(hub.received.some(({ frame }) => frame.op === 'unsubscribe' && frame.channel === 'job:a')).to.equal(true);
    probe.channel = null;
    await waitUntil(() => text(probe) === '|live|');
  });

  it('exposes the hub refusing the channel', async () => {
    const hub = fakeHub();
    const probe = await fixture<ChannelProbe>(html`<channel-probe hub=${hub.hubUrl} channel="job:ghost"></channel-probe>`);
    await waitUntil(() => text(probe) === '|live|not_found', `rendered ${text(probe)}`);
    expect(probe.controller.settled).to.equal(true);
  });

  it('releases the connection when the host leaves the document', async () => {
    const hub = fakeHub();
    const probe = await fixture<ChannelProbe>(html`<channel-probe hub=${hub.hubUrl} channel="job:a"></channel-probe>`);
    await waitUntil(() => hub.openConnections.websocket === 1);
    probe.remove();
    expect(probe.controller.connection).to.equal(null);
    await waitUntil(() => hub.openConnections.websocket === 0, 'socket closed after the last release');
  });

  it('follows a change of the host hub attribute', async () => {
    const first = fakeHub();
    const second = fakeHub();
    const probe = await fixture<ChannelProbe>(html`<channel-probe hub=${first.hubUrl} channel="job:a"></channel-probe>`);
    await waitUntil(() => text(probe) === 'a|live|');
    probe.setAttribute('hub', second.hubUrl);
    await waitUntil(() => probe.controller.connection?.hubUrl === second.hubUrl && text(probe) === 'a|live|');
    await waitUntil(() => first.openConnections.websocket === 0);
  });
});

describe('<jobcast-hub>', () => {
  it('provides its hub to widgets inside it, across shadow roots', async () => {
    const hub = fakeHub();
    const provider = await fixture<JobcastHub>(
      html`<jobcast-hub hub=${hub.hubUrl}><div><shadow-wrapper></shadow-wrapper></div></jobcast-hub>`,
    );
    const probe = provider.querySelector('shadow-wrapper')!.shadowRoot!.querySelector<ChannelProbe>('channel-probe')!;
    await waitUntil(() => text(probe) === 'a|live|', `rendered ${text(probe)}`);
    expect(probe.controller.connection!.hubUrl).to.equal(hub.hubUrl);
    expect(provider.connection!.hubUrl).to.equal(hub.hubUrl);
    expect(resolveHubUrl(probe)).to.equal(hub.hubUrl);
    expect(getComputedStyle(provider).display).to.equal('contents');
  });

  it('loses to a widget’s own hub attribute', async () => {
    const outer = fakeHub();
    const own = fakeHub();
    const provider = await fixture<JobcastHub>(
      html`<jobcast-hub hub=${outer.hubUrl}><channel-probe hub=${own.hubUrl} channel="job:a"></channel-probe></jobcast-hub>`,
    );
    const probe = provider.querySelector<ChannelProbe>('channel-probe')!;
    await waitUntil(() => text(probe) === 'a|live|');
    expect(probe.controller.connection!.hubUrl).to.equal(own.hubUrl);
  });

  it('is forgotten by a widget moved out of it', async () => {
    const outer = fakeHub();
    const pageHub = new FakeHub(location.origin, { connectOptions: { releaseDelayMs: 10 } });
    hubs.push(pageHub);
    const provider = await fixture<JobcastHub>(
      html`<jobcast-hub hub=${outer.hubUrl}><channel-probe channel="job:a"></channel-probe></jobcast-hub>`,
    );
    const probe = provider.querySelector<ChannelProbe>('channel-probe')!;
    await waitUntil(() => text(probe) === 'a|live|');
    provider.after(probe);
    await waitUntil(() => probe.controller.connection?.hubUrl === pageHub.hubUrl, 'follows the hub that served the script');
    probe.remove();
  });

  it('moves its widgets when its hub changes', async () => {
    const first = fakeHub();
    const second = fakeHub();
    second.removeJob('a');
    second.createJob({ id: 'a2', type: 'other' });
    const provider = await fixture<JobcastHub>(
      html`<jobcast-hub hub=${first.hubUrl}><channel-probe channel="jobs"></channel-probe></jobcast-hub>`,
    );
    const probe = provider.querySelector<ChannelProbe>('channel-probe')!;
    await waitUntil(() => text(probe) === 'a,b|live|');
    provider.hub = second.hubUrl;
    await waitUntil(() => text(probe) === 'b,a2|live|', `rendered ${text(probe)}`);
    await waitUntil(() => first.openConnections.websocket === 0, 'the old hub is released');
  });
});

describe('resolveHubUrl', () => {
  it('resolves a relative hub attribute against the page', () => {
    const element = document.createElement('div');
    element.setAttribute('hub', '/jobcast/');
    expect(resolveHubUrl(element)).to.equal(`${location.origin}/jobcast`);
  });

  it('defaults to the hub that served the script', () => {
    // The test server serves this module from <origin>/widgets/client/, like a hub serves /widgets/jobcast.js.
    expect(defaultHubUrl()).to.equal(location.origin);
    expect(resolveHubUrl(document.createElement('div'))).to.equal(location.origin);
  });
});

describe('defineElement', () => {
  it('warns instead of throwing when a second copy defines the same tag', () => {
    const warnings: unknown[][] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => warnings.push(args);
    try {
      class First extends HTMLElement {}
      class Second extends HTMLElement {}
      defineElement('define-twice-probe', First);
      defineElement('define-twice-probe', First);
      expect(warnings, 'the same class again is fine').to.have.length(0);
      expect(() => defineElement('define-twice-probe', Second)).to.not.throw();
      expect(customElements.get('define-twice-probe')).to.equal(First);
      expect(String(warnings[0]?.[0])).to.contain('<define-twice-probe> is already defined');
    } finally {
      console.warn = warn;
    }
  });
});
