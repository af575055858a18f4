import { aTimeout, expect, waitUntil } from '@open-wc/testing';
import type { ClientFrame } from '../../server/protocol/frames.ts';
import { FakeHub, type FakeHubOptions } from '../testing/fake-hub.ts';
import { connect } from './connection.ts';
import { HubRequestError } from './request.ts';
import type { ChannelUpdate, ConnectionStatus, ConnectOptions, HubConnection } from './types.ts';

/** Fast timings so reconnects happen within a test. */
const FAST: ConnectOptions = { backoff: { baseMs: 20, maxMs: 100 }, releaseDelayMs: 20, connectTimeoutMs: 500 };

let hubCount = 0;
const cleanups: Array<() => void> = [];

afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function fakeHub(options: FakeHubOptions = {}): FakeHub {
  const hub = new FakeHub(`fake://connection-${++hubCount}`, options);
  cleanups.push(() => hub.dispose());
  return hub;
}

function open(hub: FakeHub, options: ConnectOptions = {}): HubConnection {
  const connection = connect(hub.hubUrl, { ...FAST, ...options });
  cleanups.push(() => connection.release());
  return connection;
}

function listen(connection: HubConnection, channel: string): ChannelUpdate[] {
  const updates: ChannelUpdate[] = [];
  connection.subscribe(channel, (update) => updates.push(update));
  return updates;
}

function subscribeFrames(hub: FakeHub, channel?: string): Array<Extract<ClientFrame, { op: 'subscribe' }>> {
  return hub.received
    .map(({ frame }) => frame)
    .filter((frame): frame is Extract<ClientFrame, { op: 'subscribe' }> => frame.op === 'subscribe')
    .filter((frame) => channel === undefined || frame.channel === channel);
}

function eventSeqs(updates: ChannelUpdate[]): number[] {
  return updates.flatMap((update) => (update.type === 'event' ? [update.event.seq] : []));
}

function live(connection: HubConnection, transport: 'websocket' | 'sse' = 'websocket'): Promise<unknown> {
  return waitUntil(
    () => connection.state === 'live' && connection.transport === transport,
    `expected live over ${transport}`,
    { interval: 5, timeout: 3_000 },
  );
}

describe('connect()', () => {
  it('shares one socket per hub URL and closes it shortly after the last release', async () => {
    const hub = fakeHub();
    const first = connect(hub.hubUrl, { ...FAST, releaseDelayMs: 150 });
    const second = connect(hub.hubUrl);
    expect(second).to.not.equal(first);
    expect(second.hubUrl).to.equal(first.hubUrl);
    await live(first);
    expect(second.state).to.equal('live');
    expect(hub.openConnections.websocket).to.equal(1);

    first.release();
    await aTimeout(200);
    expect(hub.openConnections.websocket, 'the second handle still holds it').to.equal(1);

    second.release();
    await aTimeout(50);
    expect(hub.openConnections.websocket, 'kept during the grace period').to.equal(1);
    const third = connect(hub.hubUrl);
    await aTimeout(200);
    expect(hub.webSocketUrls, 'reconnecting within the grace period reuses the socket').to.have.length(1);
    expect(third.state).to.equal('live');

    third.release();
    await waitUntil(() => hub.openConnections.websocket === 0, 'closes after the last release', { timeout: 1_000 });
    expect(() => third.subscribe('jobs', () => {})).to.throw(/released/);
  });

  it('opens a new connection after the old one was disposed', async () => {
    const hub = fakeHub();
    const first = connect(hub.hubUrl, { ...FAST, releaseDelayMs: 0 });
    await live(first);
    first.release();
    await waitUntil(() => hub.openConnections.websocket === 0);
    const second = open(hub);
    await live(second);
    expect(hub.webSocketUrls).to.have.length(2);
  });

  it('normalises the hub URL, so different spellings share the connection', async () => {
    const hub = fakeHub();
    const plain = open(hub);
    const slashed = connect(`${hub.hubUrl}/`);
    cleanups.push(() => slashed.release());
    expect(slashed.hubUrl).to.equal(plain.hubUrl);
    await live(slashed);
    expect(hub.webSocketUrls).to.have.length(1);
  });

  it('releasing one handle ends only its own subscriptions', async () => {
    const hub = fakeHub();
    hub.createJob({ id: 'a', status: 'running' });
    const mine = open(hub);
    const theirs = open(hub);
    const myUpdates = listen(mine, 'job:a');
    const theirUpdates = listen(theirs, 'job:a');
    await waitUntil(() => myUpdates.length === 1 && theirUpdates.length === 1);

    mine.release();
    hub.update('a', { progress: 5 });
    await waitUntil(() => theirUpdates.length === 2);
    expect(myUpdates).to.have.length(1);
    expect(subscribeFrames(hub, 'job:a'), 'one hub subscription for both handles').to.have.length(1);
  });

  it('reports statechange with the full status', async () => {
    const hub = fakeHub();
    const connection = open(hub);
    const seen: ConnectionStatus[] = [];
    connection.addEventListener('statechange', (event) => seen.push((event as CustomEvent<ConnectionStatus>).detail));
    await live(connection);
    const last = seen.at(-1)!;
    expect(last.state).to.equal('live');
    expect(last.transport).to.equal('websocket');
    expect(last.nextRetryAt).to.equal(null);
    expect(connection.status).to.include({ state: 'live', transport: 'websocket' });
  });
});

describe('channels', () => {
  it('delivers the snapshot first, then events, and keeps the latest state', async () => {
    const hub = fakeHub();
    hub.createJob({ id: 'a', type: 'export', status: 'running', progress: { current: 1, total: 10 } });
    const connection = open(hub);
    const updates = listen(connection, 'job:a');
    await waitUntil(() => updates.length === 1);
    expect(updates[0]).to.include({ type: 'snapshot', channel: 'job:a' });
    expect(updates[0]!.type === 'snapshot' && updates[0]!.jobs.map((job) => job.progress.current)).to.deep.equal([1]);

    hub.update('a', { progress: 7, log: 'seven' });
    await waitUntil(() => updates.length === 3);
    expect(updates.slice(1).map((update) => update.type === 'event' && update.event.kind)).to.deep.equal(['progress', 'log']);
    expect(connection.jobs('job:a')[0]!.progress.current).to.equal(7);
    expect(connection.jobs('job:a')[0]!.progress.percent).to.equal(70);
  });

  it('gives a late subscriber the current snapshot at once, without asking the hub again', async () => {
    const hub = fakeHub();
    hub.createJob({ id: 'a', status: 'running' });
    const connection = open(hub);
    const early = listen(connection, 'job:a');
    await waitUntil(() => early.length === 1);
    hub.update('a', { progress: 3 });
    await waitUntil(() => early.length === 2);

    const late = listen(connection, 'job:a');
    expect(late, 'delivered in a microtask, not synchronously').to.have.length(0);
    await Promise.resolve();
    expect(late).to.have.length(1);
    expect(late[0]!.type === 'snapshot' && late[0]!.jobs[0]!.progress.current).to.equal(3);
    expect(subscribeFrames(hub, 'job:a')).to.have.length(1);
  });

  it('reports a job the hub does not know as a not_found error on the channel', async () => {
    const hub = fakeHub();
    const connection = open(hub);
    const updates = listen(connection, 'job:missing');
    await waitUntil(() => updates.length === 1);
    expect(updates[0]).to.include({ type: 'error', channel: 'job:missing', code: 'not_found' });
    const late = listen(connection, 'job:missing');
    await Promise.resolve();
    expect(late[0]).to.include({ type: 'error', code: 'not_found' });
  });

  it('unsubscribes from the hub when the last listener of a channel leaves', async () => {
    const hub = fakeHub();
    hub.createJob({ id: 'a' });
    const connection = open(hub);
    const stopFirst = connection.subscribe('job:a', () => {});
    const stopSecond = connection.subscribe('job:a', () => {});
    await waitUntil(() => connection.jobs('job:a').length === 1);
    stopFirst();
    stopFirst();
    await aTimeout(20);
    expect(hub.received.some(({ frame }) => frame.op === 'unsubscribe')).to.equal(false);
    stopSecond();
    await waitUntil(() => hub.received.some(({ frame }) => frame.op === 'unsubscribe' && frame.channel === 'job:a'));
    expect(connection.jobs('job:a')).to.deep.equal([]);
  });

  it('subscribes once to a channel that a statechange listener opens as the connection goes live', async () => {
    const hub = fakeHub();
    hub.createJob({ id: 'a' });
    const connection = open(hub);
    let updates: ChannelUpdate[] | undefined;
    connection.addEventListener('statechange', () => {
      if (connection.state === 'live') updates ??= listen(connection, 'job:a');
    });
    await waitUntil(() => updates?.length === 1);
    await aTimeout(50);
    expect(subscribeFrames(hub, 'job:a')).to.have.length(1);
    expect(updates).to.have.length(1);
  });

  it('keeps other listeners going when one throws', async () => {
    const hub = fakeHub();
    hub.createJob({ id: 'a' });
    const connection = open(hub);
    const errors: unknown[] = [];
    const reportError = window.reportError;
    window.reportError = (error) => errors.push(error);
    cleanups.push(() => (window.reportError = reportError));
    connection.subscribe('job:a', () => {
      throw new Error('listener bug');
    });
    const updates = listen(connection, 'job:a');
    await waitUntil(() => updates.length === 1);
    expect(errors.map((error) => (error as Error).message)).to.deep.equal(['listener bug']);
  });
});

describe('reconnecting', () => {
  it('resubscribes every channel from its last position and replays the missed events once', async () => {
    const hub = fakeHub();
    hub.createJob({ id: 'a', type: 'export', status: 'running' });
    hub.createJob({ id: 'b', type: 'import', status: 'running' });
    const connection = open(hub);
    const jobA = listen(connection, 'job:a');
    const all = listen(connection, 'jobs');
    await waitUntil(() => jobA.length === 1 && all.length === 1);
    hub.update('a', { progress: 1 });
    hub.update('b', { progress: 1 });
    await waitUntil(() => jobA.length === 2 && all.length === 3);
    const lastPositionA = `${hub.epoch}:${(jobA[1] as Extract<ChannelUpdate, { type: 'event' }>).event.offset}`;
    const lastPositionAll = `${hub.epoch}:${(all[2] as Extract<ChannelUpdate, { type: 'event' }>).event.offset}`;

    hub.disconnect();
    expect(connection.state).to.equal('reconnecting');
    hub.update('a', { progress: 2 });
    hub.update('a', { progress: 3, log: 'missed' });
    await live(connection);
    await waitUntil(() => eventSeqs(jobA).length === 4);

    const resubscribes = subscribeFrames(hub).slice(2);
    expect(resubscribes.map(({ channel, since }) => ({ channel, since }))).to.have.deep.members([
      { channel: 'job:a', since: lastPositionA },
      { channel: 'jobs', since: lastPositionAll },
    ]);
    expect(eventSeqs(jobA), 'each event once, in order').to.deep.equal([2, 3, 4, 5]);
    expect(jobA.filter((update) => update.type === 'snapshot').map((update) => update.type === 'snapshot' && update.recovered)).to.deep.equal([
      false,
      true,
    ]);
    expect(connection.jobs('job:a')[0]!.progress.current).to.equal(3);
    expect(connection.jobs('job:a')[0]!.seq).to.equal(5);
  });

  it('replaces the state when the snapshot is not recovered: no stale job survives', async () => {
    const hub = fakeHub();
    hub.createJob({ id: 'a', status: 'running' });
    hub.createJob({ id: 'b', status: 'running' });
    const connection = open(hub);
    const all = listen(connection, 'jobs');
    await waitUntil(() => connection.jobs('jobs').length === 2);

    hub.disconnect();
    hub.removeJob('b');
    hub.update('a', { progress: 9 });
    hub.trimHistory();
    await live(connection);
    await waitUntil(() => all.filter((update) => update.type === 'snapshot').length === 2);

    const last = all.at(-1)!;
    expect(last.type === 'snapshot' && last.recovered).to.equal(false);
    expect(connection.jobs('jobs').map((job) => job.id)).to.deep.equal(['a']);
    expect(connection.jobs('jobs')[0]!.progress.current).to.equal(9);
  });

  it('starts over after a hub restart: new epoch, and low offsets are not mistaken for duplicates', async () => {
    const hub = fakeHub();
    hub.createJob({ id: 'a', status: 'running' });
    const connection = open(hub);
    const updates = listen(connection, 'job:a');
    await waitUntil(() => updates.length === 1);
    for (let step = 1; step <= 5; step += 1) hub.update('a', { progress: step });
    await waitUntil(() => eventSeqs(updates).length === 5);
    const oldEpoch = hub.epoch;

    hub.restart();
    expect(hub.epoch).to.not.equal(oldEpoch);
    await live(connection);
    await waitUntil(() => updates.filter((update) => update.type === 'snapshot').length === 2);
    expect(subscribeFrames(hub, 'job:a').at(-1)!.since!.startsWith(`${oldEpoch}:`)).to.equal(true);

    hub.update('a', { progress: 42 });
    await waitUntil(() => eventSeqs(updates).length === 6);
    expect(connection.jobs('job:a')[0]!.progress.current).to.equal(42);
  });

  it('waits with exponential backoff and full jitter while the hub is unreachable', async () => {
    const hub = fakeHub();
    const connection = open(hub, { backoff: { baseMs: 40, maxMs: 200 }, random: () => 0.5, EventSource: null });
    await live(connection);
    const waits: number[] = [];
    connection.addEventListener('statechange', (event) => {
      const { nextRetryAt } = (event as CustomEvent<ConnectionStatus>).detail;
      if (nextRetryAt !== null) waits.push(nextRetryAt - Date.now());
    });
    hub.unreachable = true;
    hub.disconnect();
    await waitUntil(() => waits.length >= 5, 'five scheduled retries', { timeout: 3_000 });
    const expected = [20, 40, 80, 100, 100];
    waits.slice(0, 5).forEach((wait, index) => expect(wait, `retry ${index}`).to.be.within(expected[index]! - 3, expected[index]!));
    expect(connection.state).to.equal('reconnecting');

    hub.unreachable = false;
    await live(connection);
    hub.unreachable = true;
    waits.length = 0;
    hub.disconnect();
    expect(waits[0], 'a successful connection resets the backoff').to.be.within(17, 20);
  });

  it('reconnectNow skips the wait', async () => {
    const hub = fakeHub();
    const connection = open(hub, { backoff: { baseMs: 60_000, maxMs: 60_000 }, random: () => 0.9 });
    await live(connection);
    hub.disconnect();
    expect(connection.state).to.equal('reconnecting');
    expect(connection.nextRetryAt! - Date.now()).to.be.above(50_000);
    connection.reconnectNow();
    expect(connection.nextRetryAt).to.equal(null);
    await live(connection);
  });

  it('retries at once when the tab becomes visible again', async () => {
    const hub = fakeHub();
    const connection = open(hub, { backoff: { baseMs: 60_000, maxMs: 60_000 }, random: () => 0.9 });
    await live(connection);
    hub.disconnect();
    expect(connection.nextRetryAt).to.not.equal(null);
    document.dispatchEvent(new Event('visibilitychange'));
    await live(connection);
  });

  it('detects a silent (dead) connection from missed heartbeats, then recovers', async () => {
    const hub = fakeHub({ heartbeatMs: 60_000 });
    const connection = open(hub, { heartbeatTimeoutMs: 200, connectTimeoutMs: 150 });
    await live(connection);
    const liveSince = Date.now();
    hub.silent = true;
    await waitUntil(() => connection.state === 'reconnecting', 'dead connection detected', { interval: 5, timeout: 2_000 });
    expect(Date.now() - liveSince, 'not before the heartbeat timeout').to.be.at.least(190);
    expect(hub.openConnections.websocket, 'the dead socket was closed').to.equal(0);
    hub.silent = false;
    await live(connection);
  });

  it('stays live as long as the hub heartbeats, with the interval from welcome', async () => {
    const hub = fakeHub({ heartbeatMs: 100 });
    const connection = open(hub, { pingIntervalMs: 60_000 });
    await live(connection);
    await waitUntil(() => connection.heartbeatMs === 100);
    expect(connection.staleAfterMs).to.equal(150);
    const states: string[] = [];
    connection.addEventListener('statechange', () => states.push(connection.state));
    await aTimeout(600);
    expect(states.filter((state) => state !== 'live'), 'a heartbeat every 100 ms, dead after 200 ms').to.deep.equal([]);
    expect(Date.now() - connection.lastMessageAt!).to.be.below(150);
  });

  it('answers hub pings with pong', async () => {
    const hub = fakeHub();
    const connection = open(hub);
    await live(connection);
    hub.pingClients();
    await waitUntil(() => hub.received.some(({ frame }) => frame.op === 'pong'));
    expect(hub.received.find(({ frame }) => frame.op === 'pong')!.frame).to.deep.equal({ op: 'pong' });
  });

  it('measures round-trip latency with ping frames', async () => {
    const hub = fakeHub({ latencyMs: 80 });
    const connection = open(hub, { pingIntervalMs: 100 });
    await live(connection);
    await waitUntil(() => connection.latencyMs !== null);
    expect(connection.latencyMs, 'at least the simulated network delay').to.be.at.least(75);
    expect(hub.received.find(({ frame }) => frame.op === 'ping')!.frame).to.have.property('id').that.is.a('number');

    hub.latencyMs = 0;
    await waitUntil(() => connection.latencyMs! < 30, 'follows a faster network', { timeout: 1_000 });
  });

  it('goes offline with the browser and comes back when it is online', async () => {
    const hub = fakeHub();
    const connection = open(hub);
    await live(connection);
    hub.goOffline();
    expect(connection.state).to.equal('offline');
    expect(connection.nextRetryAt).to.equal(null);
    const attempts = hub.webSocketUrls.length;
    await aTimeout(150);
    expect(hub.webSocketUrls.length, 'no attempts while offline').to.equal(attempts);
    hub.goOnline();
    await live(connection);
  });

  it('stays offline when the hub closes with a code that forbids retrying', async () => {
    const hub = fakeHub();
    const connection = open(hub);
    await live(connection);
    hub.disconnect(4003);
    expect(connection.state).to.equal('offline');
    expect(connection.closeReason).to.equal('forbidden_origin');
    await aTimeout(150);
    expect(hub.webSocketUrls).to.have.length(1);
    connection.reconnectNow();
    await live(connection);
    expect(connection.closeReason).to.equal(null);
  });
});

describe('SSE fallback', () => {
  it('falls back to SSE when the WebSocket is refused, and carries the channels', async () => {
    const hub = fakeHub();
    hub.refuseWebSocket = true;
    hub.createJob({ id: 'a', status: 'running' });
    const connection = open(hub, { webSocketRetryMs: 60_000 });
    const updates = listen(connection, 'job:a');
    await live(connection, 'sse');
    expect(connection.latencyMs).to.equal(null);
    expect(connection.staleAfterMs, 'one and a half SSE heartbeats').to.equal(22_500);
    await waitUntil(() => updates.length === 1);
    expect(updates[0]).to.include({ type: 'snapshot' });
    hub.update('a', { progress: 4 });
    await waitUntil(() => updates.length === 2);
    expect(connection.jobs('job:a')[0]!.progress.current).to.equal(4);
    expect(hub.streamUrls.at(-1)).to.equal(`${hub.hubUrl}/v1/stream?channel=job%3Aa`);
  });

  it('keeps a quiet stream open while the hub pings, and reopens it when the pings stop', async () => {
    const hub = fakeHub();
    hub.refuseWebSocket = true;
    hub.createJob({ id: 'a', status: 'running' });
    const connection = open(hub, { webSocketRetryMs: 60_000, sseIdleTimeoutMs: 300 });
    listen(connection, 'job:a');
    await live(connection, 'sse');
    const opened = hub.streamUrls.length;
    const pings = setInterval(() => hub.pingClients(), 100);
    await aTimeout(900);
    clearInterval(pings);
    expect(hub.streamUrls, 'pings keep the stream').to.have.length(opened);
    expect(connection.state).to.equal('live');
    await waitUntil(() => hub.streamUrls.length > opened, 'a silent stream is reopened', { timeout: 3_000 });
  });

  it('reopens the stream with every channel and the resume position when channels change', async () => {
    const hub = fakeHub();
    hub.refuseWebSocket = true;
    hub.createJob({ id: 'a', type: 'export', status: 'running' });
    const connection = open(hub);
    const first = listen(connection, 'job:a');
    await waitUntil(() => first.length === 1);
    hub.update('a', { progress: 1 });
    await waitUntil(() => first.length === 2);
    const position = `${hub.epoch}:${(first[1] as Extract<ChannelUpdate, { type: 'event' }>).event.offset}`;

    const second = listen(connection, 'jobs:export');
    await waitUntil(() => second.length === 1);
    const url = new URL(hub.streamUrls.at(-1)!);
    expect(url.searchParams.getAll('channel')).to.deep.equal(['job:a', 'jobs:export']);
    expect(url.searchParams.get('since')).to.equal(position);
    expect(hub.openConnections.sse).to.equal(1);
    expect(eventSeqs(first), 'no duplicate from the overlapping replay').to.deep.equal([2]);
  });

  it('drops what a reopened stream replays for a channel that had already seen it', async () => {
    const hub = fakeHub();
    hub.refuseWebSocket = true;
    hub.createJob({ id: 'a', status: 'running' });
    hub.createJob({ id: 'b', status: 'running' });
    hub.createJob({ id: 'c', status: 'running' });
    const connection = open(hub);
    const jobA = listen(connection, 'job:a');
    const jobB = listen(connection, 'job:b');
    await waitUntil(() => jobA.length === 1 && jobB.length === 1);
    hub.update('a', { progress: 1 });
    hub.update('b', { progress: 1 });
    hub.update('b', { progress: 2 });
    await waitUntil(() => eventSeqs(jobB).length === 2 && eventSeqs(jobA).length === 1);

    // The stream resumes from job:a's older position, so the hub replays job:b's events too.
    listen(connection, 'job:c');
    await waitUntil(() => jobB.filter((update) => update.type === 'snapshot').length === 2);
    await aTimeout(30);
    expect(new URL(hub.streamUrls.at(-1)!).searchParams.get('since')).to.equal(`${hub.epoch}:4`);
    expect(eventSeqs(jobB)).to.deep.equal([2, 3]);
    expect(eventSeqs(jobA)).to.deep.equal([2]);
  });

  it('lets the browser resume an interrupted stream with Last-Event-ID', async () => {
    const hub = fakeHub({ sseRetryMs: 30 });
    hub.refuseWebSocket = true;
    hub.createJob({ id: 'a', status: 'running' });
    const connection = open(hub);
    const updates = listen(connection, 'job:a');
    await waitUntil(() => updates.length === 1);
    const streams = hub.streamUrls.length;

    hub.disconnect();
    expect(connection.state).to.equal('reconnecting');
    hub.update('a', { progress: 6 });
    await live(connection, 'sse');
    await waitUntil(() => eventSeqs(updates).length === 1);
    expect(hub.streamUrls.length, 'the same EventSource reconnected').to.equal(streams);
    const snapshots = updates.filter((update) => update.type === 'snapshot');
    expect(snapshots.map((update) => update.type === 'snapshot' && update.recovered)).to.deep.equal([false, true]);
    expect(connection.jobs('job:a')[0]!.progress.current).to.equal(6);
  });

  it('falls back when the WebSocket constructor rejects the URL, instead of throwing', async () => {
    const hub = fakeHub();
    const ThrowingWebSocket = class {
      constructor() {
        throw new SyntaxError('unsupported scheme');
      }
    } as unknown as ConnectOptions['WebSocket'];
    const connection = open(hub, { WebSocket: ThrowingWebSocket });
    await live(connection, 'sse');
  });

  it('without channels, only checks that the hub answers, and opens the stream with the first channel', async () => {
    const hub = fakeHub();
    hub.refuseWebSocket = true;
    hub.createJob({ id: 'a' });
    const connection = open(hub);
    await live(connection, 'sse');
    expect(hub.requests.map(({ method, path }) => `${method} ${path}`)).to.deep.equal(['GET /healthz']);
    expect(hub.streamUrls, 'the hub refuses a stream without channels').to.deep.equal([]);
    const updates = listen(connection, 'job:a');
    await waitUntil(() => updates.length === 1);
    expect(hub.openConnections.sse).to.equal(1);
  });

  it('does not call an unreachable hub live on SSE', async () => {
    const hub = fakeHub();
    hub.refuseWebSocket = true;
    hub.unreachable = true;
    const connection = open(hub);
    await waitUntil(() => connection.state === 'reconnecting' && connection.nextRetryAt !== null);
    expect(hub.webSocketUrls.length).to.be.at.least(1);
    hub.unreachable = false;
    await live(connection, 'sse');
  });

  it('reports an SSE error message for an unknown job on its channel', async () => {
    const hub = fakeHub();
    hub.refuseWebSocket = true;
    const connection = open(hub);
    const updates = listen(connection, 'job:nope');
    await waitUntil(() => updates.length === 1);
    expect(updates[0]).to.include({ type: 'error', code: 'not_found' });
    expect(connection.state).to.equal('live');
  });

  it('moves back to the WebSocket when it works again, without losing or repeating events', async () => {
    const hub = fakeHub();
    hub.refuseWebSocket = true;
    hub.createJob({ id: 'a', status: 'running' });
    const connection = open(hub, { webSocketRetryMs: 100 });
    const updates = listen(connection, 'job:a');
    await live(connection, 'sse');
    hub.update('a', { progress: 1 });
    await waitUntil(() => eventSeqs(updates).length === 1);

    hub.refuseWebSocket = false;
    await live(connection, 'websocket');
    await waitUntil(() => hub.openConnections.sse === 0 && hub.openConnections.websocket === 1);
    hub.update('a', { progress: 2 });
    await waitUntil(() => eventSeqs(updates).length === 2);
    expect(eventSeqs(updates)).to.deep.equal([2, 3]);
    expect(subscribeFrames(hub, 'job:a')[0]!.since).to.match(/:\d+$/);
  });

  it('takes over from the browser when the stream cannot be resumed, trying the WebSocket first', async () => {
    const hub = fakeHub({ sseRetryMs: 30 });
    hub.refuseWebSocket = true;
    hub.createJob({ id: 'a' });
    const connection = open(hub, { webSocketRetryMs: 100 });
    listen(connection, 'job:a');
    await live(connection, 'sse');
    await waitUntil(() => hub.openConnections.sse === 1);
    const attempts = hub.webSocketUrls.length;
    hub.refuseWebSocket = false;
    hub.unreachable = true;
    hub.disconnect();
    await waitUntil(() => hub.webSocketUrls.length > attempts, 'tries the WebSocket again', { timeout: 2_000 });
    expect(connection.state).to.equal('reconnecting');
    hub.unreachable = false;
    // Straight onto the WebSocket, or onto SSE first when the attempt under way was the fallback.
    await live(connection, 'websocket');
  });
});

describe('REST', () => {
  it('submits a job', async () => {
    const hub = fakeHub();
    hub.defineJobType('export', { timeline: [] });
    const connection = open(hub);
    const job = await connection.submit({ type: 'export', input: { rows: 3 }, labels: { team: 'data' } });
    expect(job).to.include({ type: 'export', status: 'queued' });
    expect(hub.requests.at(-1)).to.deep.equal({
      method: 'POST',
      path: '/v1/jobs',
      body: { type: 'export', input: { rows: 3 }, labels: { team: 'data' } },
      authorization: null,
    });
  });

  it('sends controls and rejects with the hub error code, message and status', async () => {
    const hub = fakeHub();
    hub.createJob({ id: 'a', status: 'running' });
    const connection = open(hub);
    const paused = await connection.control('a', 'pause');
    expect(paused.status).to.equal('paused');

    hub.refuseControls({ control: 'resume', message: 'not now' });
    const refused = await connection.control('a', 'resume').catch((error: unknown) => error);
    expect(refused).to.be.instanceOf(HubRequestError);
    expect(refused).to.include({ code: 'conflict', message: 'not now', status: 409 });

    hub.createJob({ id: 'done', status: 'completed' });
    const finished = await connection.control('done', 'cancel').catch((error: unknown) => error);
    expect(finished).to.include({ code: 'job_finished', status: 409 });

    const missing = await connection.control('ghost', 'cancel').catch((error: unknown) => error);
    expect(missing).to.include({ code: 'not_found', status: 404 });
  });

  it('turns a network failure into a network_error', async () => {
    const hub = fakeHub();
    const connection = open(hub);
    hub.unreachable = true;
    const error = await connection.submit({ type: 'export' }).catch((failure: unknown) => failure);
    expect(error).to.include({ code: 'network_error', status: 0 });
  });
});
