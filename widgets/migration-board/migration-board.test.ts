import { expect, fixture, html, nextFrame, waitUntil } from '@open-wc/testing';
import { FakeHub, unsignedToken, type JobInit } from '../testing/fake-hub.ts';
import type { MigrationBoard } from './migration-board.ts';
import '../hub/jobcast-hub.ts';
import './migration-board.ts';

let hub: FakeHub;
let hubCount = 0;

beforeEach(() => {
  hub = new FakeHub(`fake://migration-board-${++hubCount}`);
});

afterEach(() => hub.dispose());

const phases = [
  { name: 'copy', label: 'Copy' },
  { name: 'verify', label: 'Verify' },
  { name: 'swap', label: 'Swap', irreversible: true },
  { name: 'cleanup', label: 'Clean up' },
];

function migration(id: string, init: JobInit = {}) {
  return hub.createJob({
    id,
    type: 'migration',
    status: 'running',
    phases,
    phase: 'copy',
    labels: { name: id.toUpperCase() },
    progress: { current: 10, total: 100, unit: 'records', percent: 10, rate: 5, etaSeconds: 18 },
    ...init,
  });
}

async function mount(): Promise<MigrationBoard> {
  const el = await fixture<MigrationBoard>(html`<migration-board hub=${hub.hubUrl}></migration-board>`);
  await waitUntil(() => el.visibleJobs.length === hub.jobs().filter((job) => job.type === 'migration').length && el.visibleJobs.length > 0, 'snapshot rendered', { timeout: 3000 });
  await settled(el);
  return el;
}

/** Waits for the frame that applies hub updates, and its render. */
async function settled(el: MigrationBoard): Promise<void> {
  await nextFrame();
  await nextFrame();
  await el.updateComplete;
}

const root = (el: MigrationBoard) => el.shadowRoot!;
const rows = (el: MigrationBoard) => [...root(el).querySelectorAll<HTMLElement>('.body [role="row"][data-id]')];
const row = (el: MigrationBoard, id: string) => root(el).querySelector<HTMLElement>(`.body [data-id="${id}"]`)!;
const renderedIds = (el: MigrationBoard) => rows(el).map((element) => element.dataset['id']);
const shownIds = (el: MigrationBoard) => el.visibleJobs.map((job) => job.id);
const control = (el: MigrationBoard, id: string, name: string) =>
  row(el, id).querySelector<HTMLButtonElement>(`button[data-control="${name}"]`)!;
const key = (target: HTMLElement, name: string) =>
  target.dispatchEvent(new KeyboardEvent('keydown', { key: name, bubbles: true, composed: true }));

async function until(el: MigrationBoard, predicate: () => boolean, message: string): Promise<void> {
  await waitUntil(predicate, message, { timeout: 3000 });
  await settled(el);
}

describe('<migration-board> rendering', () => {
  it('shows each migration with its plan, progress, records, rate, ETA and status', async () => {
    migration('m1', { stalled: true, throttle: 'replica lag' });
    migration('m2', { status: 'failed', error: { code: 'worker_lost', message: 'lease expired' } });
    migration('m3', { status: 'queued', phase: null, progress: { current: 0, total: null } });
    const el = await mount();
    const first = row(el, 'm1');
    const cells = first.querySelectorAll('[role="cell"]');
    expect(cells.length).to.equal(8);
    expect(first.textContent).to.contain('M1');
    expect(first.textContent).to.contain('Copy · 1 of 4');
    expect(first.textContent).to.contain('10 of 100 records');
    expect(first.textContent).to.contain('5 records/s');
    expect(first.textContent).to.contain('18s left');
    expect(first.textContent).to.contain('Stalled');
    expect(first.textContent).to.contain('Throttled: replica lag');
    expect(row(el, 'm2').textContent).to.contain('Worker lost');
    expect(row(el, 'm2').textContent).to.contain('worker_lost: lease expired');

    const steps = first.querySelectorAll<HTMLElement>('[part~="step"]');
    expect([...steps].map((step) => step.dataset['state'])).to.deep.equal(['current', 'upcoming', 'upcoming', 'upcoming']);
    expect(steps[2]!.hasAttribute('data-irreversible')).to.equal(true);
    expect(steps[2]!.textContent).to.contain('Point of no return');

    const summary = root(el).querySelector('[part~="summary"]')!.textContent!.replace(/\s+/g, ' ');
    expect(summary).to.contain('3 migrations');
    expect(summary).to.contain('Running 1');
    expect(summary).to.contain('Failed 1');
    expect(summary).to.contain('Queued 1');
    await expect(el).to.be.accessible();
  });

  it('applies live updates once per frame and keeps unchanged rows', async () => {
    migration('m1');
    migration('m2');
    const el = await mount();
    const untouched = row(el, 'm2');
    let renders = 0;
    const instance = el as unknown as { render(): unknown };
    const render = instance.render.bind(el);
    instance.render = () => {
      renders += 1;
      return render();
    };
    for (let value = 11; value <= 60; value++) hub.update('m1', { progress: value });
    await until(el, () => row(el, 'm1').textContent!.includes('60 of 100'), 'last update shown');
    expect(renders).to.be.at.most(3);
    expect(row(el, 'm2')).to.equal(untouched);
  });

  it('renders only the rows in view', async () => {
    for (let index = 0; index < 300; index++) migration(`m${String(index).padStart(3, '0')}`);
    const el = await mount();
    expect(el.visibleJobs.length).to.equal(300);
    expect(rows(el).length).to.be.below(40);
    expect(renderedIds(el)).to.include('m000');
    const table = root(el).querySelector<HTMLElement>('[role="table"]')!;
    expect(table.getAttribute('aria-rowcount')).to.equal('301');
    table.scrollTop = 150 * 64;
    await until(el, () => renderedIds(el).includes('m150'), 'scrolled rows rendered');
    expect(rows(el).length).to.be.below(40);
    expect(row(el, 'm150').getAttribute('aria-rowindex')).to.equal('152');
  });

  it('shows an empty state when nothing matches', async () => {
    migration('m1');
    const el = await mount();
    el.query = 'zzz';
    await settled(el);
    expect(root(el).querySelector('.body')!.textContent).to.contain('No migrations match.');
    await expect(el).to.be.accessible();
  });

  it('counts a single migration in the singular', async () => {
    migration('m1');
    const el = await mount();
    const summary = root(el).querySelector('[part~="summary"]')!.textContent!.replace(/\s+/g, ' ');
    expect(summary).to.contain('1 migration ');
    expect(summary).not.to.contain('1 migrations');
  });

  it('says there are no migrations yet when the channel is empty, not that nothing matches', async () => {
    const el = await fixture<MigrationBoard>(html`<migration-board hub=${hub.hubUrl}></migration-board>`);
    await until(el, () => root(el).querySelector('.body')!.textContent!.includes('No migrations yet.'), 'empty board text');
    expect(root(el).querySelector('.body')!.textContent).not.to.contain('match');
  });
});

describe('<migration-board> filter, sort and search', () => {
  beforeEach(() => {
    const created = (minute: number) => `2026-11-21T10:0${minute}:00.000Z`;
    migration('m-b', { createdAt: created(1), labels: { name: 'Billing', team: 'payments' }, progress: { current: 50, total: 100, percent: 50 } });
    migration('m-a', { createdAt: created(2), labels: { name: 'Accounts' }, status: 'paused', progress: { current: 80, total: 100, percent: 80 } });
    migration('m-c', { createdAt: created(3), labels: { name: 'Catalog' }, message: 'waiting for replica', progress: { current: 20, total: 100, percent: 20 } });
  });

  it('filters by status with the status menu', async () => {
    const el = await mount();
    const select = root(el).querySelector<HTMLSelectElement>('[part~="filter"]')!;
    select.value = 'paused';
    select.dispatchEvent(new Event('change'));
    await settled(el);
    expect(shownIds(el)).to.deep.equal(['m-a']);
    expect(renderedIds(el)).to.deep.equal(['m-a']);
  });

  it('sorts by menu and by column header, with aria-sort', async () => {
    const el = await mount();
    expect(shownIds(el)).to.deep.equal(['m-b', 'm-a', 'm-c']);
    const sort = root(el).querySelector<HTMLSelectElement>('[part~="sort"]')!;
    sort.value = 'progress';
    sort.dispatchEvent(new Event('change'));
    await settled(el);
    expect(shownIds(el)).to.deep.equal(['m-c', 'm-b', 'm-a']);
    const headers = [...root(el).querySelectorAll<HTMLElement>('[role="columnheader"]')];
    const progressHeader = headers.find((header) => header.textContent!.includes('Progress'))!;
    expect(progressHeader.getAttribute('aria-sort')).to.equal('ascending');

    const nameHeader = headers.find((header) => header.textContent!.includes('Migration'))!;
    nameHeader.querySelector('button')!.click();
    await settled(el);
    expect(shownIds(el)).to.deep.equal(['m-a', 'm-b', 'm-c']);
    expect(nameHeader.getAttribute('aria-sort')).to.equal('ascending');
    expect(progressHeader.getAttribute('aria-sort')).to.equal('none');
    nameHeader.querySelector('button')!.click();
    await settled(el);
    expect(shownIds(el)).to.deep.equal(['m-c', 'm-b', 'm-a']);
    expect(nameHeader.getAttribute('aria-sort')).to.equal('descending');

    sort.value = 'status';
    sort.dispatchEvent(new Event('change'));
    await settled(el);
    expect(shownIds(el)[0]).to.equal('m-a');
  });

  it('keeps focus on the same job\'s control when a new sort moves its row', async () => {
    const el = await mount();
    const button = control(el, 'm-c', 'pause');
    button.focus();
    await settled(el);
    el.sortKey = 'progress';
    await settled(el);
    expect(renderedIds(el)).to.deep.equal(['m-c', 'm-b', 'm-a']);
    expect(control(el, 'm-c', 'pause')).to.equal(button);
    expect(root(el).activeElement).to.equal(button);
    expect(row(el, 'm-c').tabIndex).to.equal(0);
  });

  it('searches id, labels and message', async () => {
    const el = await mount();
    const search = root(el).querySelector<HTMLInputElement>('[part~="search"]')!;
    for (const [query, expected] of [
      ['payments', ['m-b']],
      ['replica', ['m-c']],
      ['M-A', ['m-a']],
    ] as const) {
      search.value = query;
      search.dispatchEvent(new InputEvent('input'));
      await settled(el);
      expect(shownIds(el)).to.deep.equal(expected);
    }
  });
});

describe('<migration-board> keyboard and breakdown', () => {
  it('moves between rows with arrows, Home and End, and expands with Enter and Space', async () => {
    migration('m1', {});
    migration('m2');
    migration('m3');
    hub.update('m1', { scope: { name: 'orders', current: 5, total: 10, unit: 'rows' } });
    hub.update('m1', { scope: { name: 'customers', current: 7, total: null } });
    const el = await mount();
    expect(row(el, 'm1').tabIndex).to.equal(0);
    expect(row(el, 'm2').tabIndex).to.equal(-1);
    expect(control(el, 'm2', 'pause').tabIndex).to.equal(-1);

    row(el, 'm1').focus();
    key(row(el, 'm1'), 'ArrowDown');
    await settled(el);
    expect(root(el).activeElement).to.equal(row(el, 'm2'));
    expect(row(el, 'm2').tabIndex).to.equal(0);
    expect(control(el, 'm2', 'pause').tabIndex).to.equal(0);
    key(row(el, 'm2'), 'End');
    await settled(el);
    expect(root(el).activeElement).to.equal(row(el, 'm3'));
    key(row(el, 'm3'), 'Home');
    await settled(el);
    expect(root(el).activeElement).to.equal(row(el, 'm1'));

    key(row(el, 'm1'), 'Enter');
    await settled(el);
    const disclosure = row(el, 'm1').querySelector('[data-action="expand"]')!;
    expect(disclosure.getAttribute('aria-expanded')).to.equal('true');
    const breakdown = row(el, 'm1').querySelector('[part~="breakdown"]')!;
    expect(breakdown.textContent).to.contain('orders');
    expect(breakdown.textContent).to.contain('5 of 10 rows');
    expect(breakdown.querySelectorAll('[role="progressbar"]').length).to.equal(2);
    expect(disclosure.getAttribute('aria-controls')).to.equal(breakdown.id);
    await expect(el).to.be.accessible();

    key(row(el, 'm1'), ' ');
    await settled(el);
    expect(disclosure.getAttribute('aria-expanded')).to.equal('false');
    expect(row(el, 'm1').querySelector('[part~="breakdown"]')).to.equal(null);
  });
});

describe('<migration-board> keyboard in a long list', () => {
  it('scrolls the row it moves to into view, clear of the sticky header', async () => {
    for (let index = 0; index < 300; index++) migration(`m${String(index).padStart(3, '0')}`);
    const el = await mount();
    const table = root(el).querySelector<HTMLElement>('[role="table"]')!;
    const header = root(el).querySelector<HTMLElement>('[part~="header"]')!;
    const inView = (id: string) => {
      const box = row(el, id).getBoundingClientRect();
      return box.top >= header.getBoundingClientRect().bottom - 1 && box.bottom <= table.getBoundingClientRect().bottom + 1;
    };
    row(el, 'm000').focus();
    key(row(el, 'm000'), 'End');
    await until(el, () => root(el).activeElement === row(el, 'm299'), 'last row focused');
    expect(inView('m299')).to.equal(true);
    key(row(el, 'm299'), 'PageUp');
    await settled(el);
    // A page is the rows that fit in the table, less one.
    const afterPageUp = shownIds(el).indexOf((root(el).activeElement as HTMLElement).dataset['id']!);
    expect(afterPageUp).to.be.within(285, 297);
    key(root(el).activeElement as HTMLElement, 'Home');
    await until(el, () => root(el).activeElement === row(el, 'm000'), 'first row focused');
    key(row(el, 'm000'), 'ArrowDown');
    await settled(el);
    key(row(el, 'm001'), 'ArrowUp');
    await settled(el);
    expect(root(el).activeElement).to.equal(row(el, 'm000'));
    expect(inView('m000')).to.equal(true);
    expect(table.scrollTop).to.equal(0);
  });
});

describe('<migration-board> disclosure', () => {
  /** Where the chevron drawn by a disclosure button's ::before points: [x, y], x to the right and y down. */
  function chevron(button: Element): [number, number] {
    const style = getComputedStyle(button, '::before');
    // The chevron is the corner where its two drawn borders meet.
    const corner = new DOMPoint(parseFloat(style.borderRightWidth) ? 1 : -1, parseFloat(style.borderBottomWidth) ? 1 : -1);
    const [scaleX = 1, scaleY = scaleX] = style.scale === 'none' ? [] : style.scale.split(' ').map(Number);
    const point = new DOMMatrix().scale(scaleX, scaleY).multiply(new DOMMatrix(style.transform)).transformPoint(corner);
    return [Math.round(point.x), Math.round(point.y)];
  }

  /** Waits for the chevron's turning transition to end. */
  const turned = () => new Promise((resolve) => setTimeout(resolve, 300));

  for (const [dir, inlineEnd] of [['ltr', 1], ['rtl', -1]] as const) {
    it(`points to the inline end, and down once expanded (${dir})`, async () => {
      migration('m1');
      const el = await mount();
      el.dir = dir;
      const disclosure = row(el, 'm1').querySelector('[data-action="expand"]')!;
      await turned();
      expect(chevron(disclosure)).to.deep.equal([inlineEnd, 0]);
      (disclosure as HTMLElement).click();
      await settled(el);
      await turned();
      expect(disclosure.getAttribute('aria-expanded')).to.equal('true');
      expect(chevron(disclosure)).to.deep.equal([0, 1]);
    });
  }
});

describe('<migration-board> controls', () => {
  it('offers resume in place of pause while paused, and disables controls the job does not allow', async () => {
    migration('m1', { status: 'paused' });
    migration('m2', { status: 'cancelling' });
    const el = await mount();
    expect(row(el, 'm1').querySelector('[data-control="pause"]')).to.equal(null);
    expect(control(el, 'm1', 'resume').disabled).to.equal(false);
    expect(control(el, 'm1', 'cancel').disabled).to.equal(false);
    expect(control(el, 'm1', 'rollback').disabled).to.equal(false);
    expect(row(el, 'm2').querySelector('[data-control="resume"]')).to.equal(null);
    for (const name of ['pause', 'cancel', 'rollback']) expect(control(el, 'm2', name).disabled, name).to.equal(true);
  });

  it('offers only the controls the access token grants', async () => {
    hub.dispose();
    hub = new FakeHub(`fake://migration-board-${++hubCount}`, { auth: true });
    migration('m1');
    const token = unsignedToken({ exp: Date.now() / 1000 + 60, channels: ['*'], controls: ['pause'] });
    const host = await fixture(html`<jobcast-hub hub=${hub.hubUrl} token=${token}><migration-board></migration-board></jobcast-hub>`);
    const el = host.querySelector('migration-board')!;
    await until(el, () => el.visibleJobs.length === 1, 'snapshot rendered');
    expect(control(el, 'm1', 'pause').disabled).to.equal(false);
    for (const name of ['cancel', 'rollback']) expect(row(el, 'm1').querySelector(`[data-control="${name}"]`), name).to.equal(null);
  });

  it('pauses at once before the point of no return', async () => {
    migration('m1');
    const el = await mount();
    control(el, 'm1', 'pause').click();
    await until(el, () => el.visibleJobs[0]!.status === 'paused', 'paused');
    expect(row(el, 'm1').querySelector('[part~="confirm"]')).to.equal(null);
    expect(control(el, 'm1', 'resume').disabled).to.equal(false);
  });

  it('asks before cancelling; Escape keeps the job, confirming cancels it', async () => {
    migration('m1');
    const el = await mount();
    control(el, 'm1', 'cancel').click();
    await settled(el);
    const confirm = row(el, 'm1').querySelector('[part~="confirm"]')!;
    expect(row(el, 'm1').textContent).to.contain('Cancel M1?');
    expect(root(el).activeElement!.getAttribute('data-action')).to.equal('dismiss');
    await expect(el).to.be.accessible();

    key(root(el).activeElement as HTMLElement, 'Escape');
    await settled(el);
    expect(row(el, 'm1').querySelector('[part~="confirm"]')).to.equal(null);
    expect(root(el).activeElement).to.equal(control(el, 'm1', 'cancel'));
    expect(confirm.isConnected).to.equal(false);

    control(el, 'm1', 'cancel').click();
    await settled(el);
    row(el, 'm1').querySelector<HTMLButtonElement>('[data-action="confirm"]')!.click();
    await until(el, () => el.visibleJobs[0]!.status === 'cancelled', 'cancelled');
    expect(row(el, 'm1').textContent).to.contain('Cancelled');
  });

  it('asks before a rollback, which then runs through rolling back', async () => {
    migration('m1', { status: 'paused', phase: 'verify' });
    const el = await mount();
    hub.latencyMs = 100;
    control(el, 'm1', 'rollback').click();
    await settled(el);
    expect(row(el, 'm1').textContent).to.contain('Roll back M1? Its changes will be undone.');
    row(el, 'm1').querySelector<HTMLButtonElement>('[data-action="confirm"]')!.click();
    await settled(el);
    expect(control(el, 'm1', 'rollback').getAttribute('aria-busy')).to.equal('true');
    await until(el, () => el.visibleJobs[0]!.status === 'rolling_back', 'rolling back');
    expect(row(el, 'm1').textContent).to.contain('Rolling back');
    await expect(el).to.be.accessible();
    await until(el, () => el.visibleJobs[0]!.status === 'rolled_back', 'rolled back');
  });

  it('asks before any action once the point of no return is reached', async () => {
    migration('m1', { phase: 'swap' });
    const el = await mount();
    control(el, 'm1', 'pause').click();
    await settled(el);
    expect(row(el, 'm1').textContent).to.contain('Pause M1? It is past the point of no return.');
  });

  it('shows a refused action inline', async () => {
    migration('m1');
    const el = await mount();
    hub.refuseControls({ control: 'pause', message: 'lock held by another worker' });
    control(el, 'm1', 'pause').click();
    await until(el, () => row(el, 'm1').querySelector('[part~="error"]') !== null, 'error shown');
    expect(row(el, 'm1').querySelector('[part~="error"]')!.textContent).to.equal('Pause failed: lock held by another worker');
    await expect(el).to.be.accessible();
  });

  it('announces milestones through the live region', async () => {
    migration('m1');
    const el = await mount();
    hub.update('m1', { status: 'completed', progress: 100 });
    const live = root(el).querySelector('[role="status"]')!;
    await until(el, () => live.textContent!.includes('M1: Completed'), 'announced');
  });
});
