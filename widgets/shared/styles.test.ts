import { expect, fixture } from '@open-wc/testing';
import { html, LitElement, type TemplateResult } from 'lit';
import { makeJob } from './job-fixture.ts';
import { renderBadges } from './badges.ts';
import { DEFAULT_LABELS } from './labels.ts';
import { renderProgressBar, type ProgressBarOptions } from './progress-bar.ts';
import { badgeStyles, barStyles, hostStyles } from './styles.ts';

/** The shared styles and templates in a shadow root of their own, as the elements use them. */
class SharedProbe extends LitElement {
  static override styles = [hostStyles, barStyles, badgeStyles];
  content: TemplateResult = html``;
  protected override render(): TemplateResult {
    return html`<div class="base">${this.content}</div>`;
  }
}
customElements.define('shared-probe', SharedProbe);

async function probe(content: TemplateResult, attributes: Record<string, string> = {}): Promise<SharedProbe> {
  const el = document.createElement('shared-probe') as SharedProbe;
  for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, value);
  el.content = content;
  (await fixture(html`<div></div>`)).append(el);
  await el.updateComplete;
  return el;
}

const bar = (options: Partial<ProgressBarOptions>) =>
  renderProgressBar({ percent: null, label: 'Progress', valueText: '', tone: 'active', moving: false, ...options });

const find = (el: SharedProbe, selector: string) => el.shadowRoot!.querySelector<HTMLElement>(selector)!;

describe('progress bar', () => {
  it('scales the fill when determinate, sweeps when indeterminate and moving, stays empty otherwise', async () => {
    const determinate = await probe(bar({ percent: 42, valueText: '42%' }));
    expect(find(determinate, '.fill').style.transform).to.equal('scaleX(0.42)');
    expect(find(determinate, '[role=progressbar]').getAttribute('aria-valuenow')).to.equal('42');

    const sweeping = await probe(bar({ moving: true }));
    expect(find(sweeping, '.fill').classList.contains('indeterminate')).to.equal(true);
    expect(find(sweeping, '.fill').style.transform).to.equal('');
    expect(getComputedStyle(find(sweeping, '.fill')).animationName).to.equal('sweep');
    expect(find(sweeping, '[role=progressbar]').hasAttribute('aria-valuetext')).to.equal(false);

    const still = await probe(bar({}));
    expect(find(still, '.fill').classList.contains('indeterminate')).to.equal(false);
    expect(find(still, '.fill').style.transform).to.equal('scaleX(0)');
  });

  it('colours the fill by tone and fills from the inline start, right to left too', async () => {
    const ltr = await probe(bar({ percent: 50, tone: 'danger' }), { style: '--jobcast-danger: rgb(1, 2, 3)' });
    expect(getComputedStyle(find(ltr, '.fill')).backgroundColor).to.equal('rgb(1, 2, 3)');
    const active = await probe(bar({ percent: 50 }), { style: '--jobcast-accent: rgb(4, 5, 6)' });
    expect(getComputedStyle(find(active, '.fill')).backgroundColor).to.equal('rgb(4, 5, 6)');
    for (const dir of ['ltr', 'rtl']) {
      const el = await probe(bar({ percent: 25 }), { dir, style: 'inline-size: 400px' });
      // Past the transition, the fill covers a quarter of the track from its inline-start edge.
      find(el, '.fill').style.transition = 'none';
      const track = find(el, '.track').getBoundingClientRect();
      const fill = find(el, '.fill').getBoundingClientRect();
      expect(Math.round(fill.width)).to.equal(100);
      expect(Math.round(dir === 'ltr' ? fill.left - track.left : track.right - fill.right)).to.equal(0);
    }
  });
});

describe('badges', () => {
  it('shows the status, then the stalled, throttled and worker-lost badges, each in its tone', async () => {
    const job = makeJob({ status: 'failed', stalled: true, throttle: 'replica lag', error: { code: 'worker_lost', message: 'gone' } });
    const el = await probe(renderBadges(job, DEFAULT_LABELS), { style: '--jobcast-danger: rgb(1, 2, 3); --jobcast-warning: rgb(4, 5, 6)' });
    const badges = [...el.shadowRoot!.querySelectorAll<HTMLElement>('.badge')];
    expect(badges.map((badge) => badge.textContent)).to.deep.equal(['Failed', 'Stalled', 'Throttled: replica lag', 'Worker lost']);
    expect(badges.map((badge) => getComputedStyle(badge).color)).to.deep.equal(['rgb(1, 2, 3)', 'rgb(4, 5, 6)', 'rgb(4, 5, 6)', 'rgb(1, 2, 3)']);
    expect(badges[2]!.title).to.equal('Throttled: replica lag');
    expect(badges[0]!.getAttribute('part')).to.equal('badge status');
  });
});

describe('host styles', () => {
  it('keep page typography and visibility set on the host out of the element', async () => {
    const style = document.createElement('style');
    style.textContent = 'shared-probe { color: rgb(255, 0, 0); font: italic 2px/0 cursive; letter-spacing: 4px; text-transform: uppercase; visibility: hidden; cursor: wait; white-space: pre }';
    document.head.append(style);
    try {
      const el = await probe(html`<span class="name">Name</span>`, { style: '--jobcast-text-color: rgb(1, 2, 3)' });
      const inner = getComputedStyle(find(el, '.name'));
      expect(inner.color).to.equal('rgb(1, 2, 3)');
      expect(inner.fontSize).to.equal('14px');
      expect(inner.fontStyle).to.equal('normal');
      expect(inner.fontFamily).not.to.contain('cursive');
      expect(inner.letterSpacing).to.equal('normal');
      expect(inner.textTransform).to.equal('none');
      expect(inner.visibility).to.equal('visible');
      expect(inner.cursor).to.equal('auto');
      expect(inner.whiteSpace).to.equal('normal');
      expect(getComputedStyle(find(el, '.base')).display).to.equal('block');
    } finally {
      style.remove();
    }
  });

  it('follow the colour scheme the page picks inside the element', async () => {
    const el = await probe(html`<span class="name">Name</span>`, { style: '--jobcast-color-scheme: dark' });
    expect(getComputedStyle(find(el, '.name')).color).to.equal('rgb(230, 237, 243)');
    const light = await probe(html`<span class="name">Name</span>`, { style: '--jobcast-color-scheme: light' });
    expect(getComputedStyle(find(light, '.name')).color).to.equal('rgb(31, 35, 40)');
  });
});
