import { aTimeout, expect, waitUntil } from '@open-wc/testing';
import type { JobEvent } from '../../server/protocol/job.ts';
import { connect } from '../client/connection.ts';
import type { ChannelUpdate, HubConnection } from '../client/types.ts';
import { FakeHub } from './fake-hub.ts';

let hubCount = 0;
const cleanups: Array<() => void> = [];

afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function fakeHub(): FakeHub {
  const hub = new FakeHub(`fake://fake-hub-${++hubCount}`, { connectOptions: { releaseDelayMs: 10 } });
  cleanups.push(() => hub.dispose());
  return hub;
}

function events(connection: HubConnection, channel: string): JobEvent[] {
  const received: JobEvent[] = [];
  const stop = connection.subscribe(channel, (update: ChannelUpdate) => {
    if (update.type === 'event') received.push(update.event);
  });
  cleanups.push(stop);
  return received;
}

function open(hub: FakeHub): HubConnection {
  const connection = connect(hub.hubUrl);
  cleanups.push(() => connection.release());
  return connection;
}

describe('FakeHub', () => {
  it('creates jobs in any state with consistent fields', () => {
    const hub = fakeHub();
    const job = hub.createJob({
      id: 'migrate-1',
      type: 'migration',
      status: 'failed',
      phases: [{ name: 'copy' }, { name: 'switch', irreversible: true }],
      phase: 'copy',
      error: { code: 'boom', message: 'disk full' },
      progress: { current: 5, total: 10 },
    });
    expect(job).to.include({ id: 'migrate-1', status: 'failed', seq: 1 });
    expect(job.finishedAt).to.be.a('string');
    expect(job.startedAt).to.be.a('string');
    expect(job.controls).to.deep.equal(['retry', 'rollback']);
    expect(job.phases[0]).to.deep.equal({ name: 'copy', irreversible: false });
    expect(job.progress).to.deep.include({ current: 5, total: 10, unit: null });
  });

  it('plays a timeline: one event per change, increasing seq and offset, the full job in each', async () => {
    const hub = fakeHub();
    const job = hub.createJob({ type: 'export' });
    const connection = open(hub);
    const received = events(connection, 'jobs');
    await waitUntil(() => connection.jobs('jobs').length === 1);
    const playback = hub.play(job.id, [
      { after: 10, status: 'running', phase: 'read', progress: { current: 0, total: 4, unit: 'files' } },
      { after: 10, progress: 2, log: 'half way', output: 'a,b\n' },
      { after: 10, progress: 4, status: 'completed', result: { files: 4 } },
    ]);
    await playback.finished;
    await waitUntil(() => received.length === 8);

    expect(received.map((event) => event.kind)).to.deep.equal([
      'status',
      'phase',
      'progress',
      'progress',
      'log',
      'output',
      'progress',
      'status',
    ]);
    expect(received.map((event) => event.seq)).to.deep.equal([2, 3, 4, 5, 6, 7, 8, 9]);
    const offsets = received.map((event) => event.offset);
    expect(offsets.every((offset, index) => index === 0 || offset === offsets[index - 1]! + 1)).to.equal(true);
    expect(received.every((event) => event.job.seq === event.seq)).to.equal(true);
    expect(received[1]!.job).to.include({ status: 'running', phase: 'read' });
    expect(received[0]!.job.phase, 'the status event precedes the phase change').to.equal(null);
    expect(received[4]).to.include({ kind: 'log', level: 'info', message: 'half way' });
    expect(received[5]!.job.output).to.equal('a,b\n');
    expect(received[6]!.job.status, 'the last progress comes before the end').to.equal('running');
    const last = received[7]!;
    expect(last).to.include({ kind: 'status', status: 'completed', from: 'running' });
    expect(last.job.result).to.deep.equal({ files: 4 });
    expect(last.job.progress.percent).to.equal(100);
    expect(last.job.finishedAt).to.be.a('string');
    expect(hub.job(job.id)!.seq).to.equal(9);
  });

  it('pauses and resumes a timeline, and plays faster with a higher speed', async () => {
    const hub = fakeHub();
    const job = hub.createJob({ status: 'running' });
    const playback = hub.play(job.id, [{ after: 200, progress: 1 }, { after: 200, progress: 2 }]);
    await aTimeout(100);
    playback.pause();
    expect(playback.paused).to.equal(true);
    await aTimeout(250);
    expect(hub.job(job.id)!.progress.current, 'nothing while paused').to.equal(0);
    playback.resume();
    await aTimeout(60);
    expect(hub.job(job.id)!.progress.current).to.equal(0);
    await waitUntil(() => hub.job(job.id)!.progress.current === 1, 'the rest of the first wait', { timeout: 150 });

    hub.speed = 10;
    const started = Date.now();
    await playback.finished;
    expect(Date.now() - started, '200 ms at ten times the speed').to.be.below(80);
    expect(hub.job(job.id)!.progress.current).to.equal(2);
  });

  it('answers controls like the hub: pause freezes the timeline, cancel winds down', async () => {
    const hub = fakeHub();
    hub.defineJobType('export', { timeline: [{ after: 0, status: 'running' }, { after: 100, progress: 1 }] });
    const connection = open(hub);
    const job = await connection.submit({ type: 'export' });
    await waitUntil(() => hub.job(job.id)!.status === 'running');
    expect((await connection.control(job.id, 'pause')).status).to.equal('paused');
    await aTimeout(150);
    expect(hub.job(job.id)!.progress.current).to.equal(0);
    expect((await connection.control(job.id, 'resume')).status).to.equal('running');
    await waitUntil(() => hub.job(job.id)!.progress.current === 1);

    expect((await connection.control(job.id, 'cancel')).status).to.equal('cancelling');
    await waitUntil(() => hub.job(job.id)!.status === 'cancelled', 'cancelled after the wind-down', { timeout: 1_000 });
    const retried = await connection.control(job.id, 'retry');
    expect(retried).to.include({ status: 'queued', attempt: 2 });
    await waitUntil(() => hub.job(job.id)!.status === 'running');
  });

  it('returns the same job for the same idempotency key', async () => {
    const hub = fakeHub();
    hub.defineJobType('export', { timeline: [] });
    const connection = open(hub);
    const first = await connection.submit({ type: 'export', key: 'k1' });
    const again = await connection.submit({ type: 'export', key: 'k1' });
    expect(again.id).to.equal(first.id);
    expect(hub.jobs()).to.have.length(1);
  });

  it('refuses controls with the hub error body until the rule is lifted', async () => {
    const hub = fakeHub();
    hub.createJob({ id: 'a', status: 'running' });
    const lift = hub.refuseControls({ jobId: 'a', code: 'conflict', message: 'locked' });
    const response = await hub.fetch(`${hub.hubUrl}/v1/jobs/a/pause`, { method: 'POST', body: '{}' });
    expect(response.status).to.equal(409);
    expect(await response.json()).to.deep.equal({ error: { code: 'conflict', message: 'locked' } });
    lift();
    const allowed = await hub.fetch(`${hub.hubUrl}/v1/jobs/a/pause`, { method: 'POST', body: '{}' });
    expect(allowed.status).to.equal(200);
  });

  it('adds latency to every frame and request', async () => {
    const hub = fakeHub();
    hub.latencyMs = 120;
    const started = Date.now();
    await hub.fetch(`${hub.hubUrl}/v1/jobs/none`);
    expect(Date.now() - started).to.be.at.least(115);
  });
});
