import { aTimeout, expect, waitUntil } from '@open-wc/testing';
import { FakeHub, unsignedToken, type FakeTokenClaims } from '../testing/fake-hub.ts';
import { connect } from './connection.ts';
import type { HubConnection } from './types.ts';

let hub: FakeHub;
let hubCount = 0;
const connections: HubConnection[] = [];

beforeEach(() => {
  hub = new FakeHub(`fake://auth-${++hubCount}`, {
    auth: true,
    sseRetryMs: 20,
    connectOptions: { releaseDelayMs: 10, backoff: { baseMs: 10, maxMs: 20 } },
  });
});

afterEach(() => {
  for (const connection of connections.splice(0)) connection.release();
  hub.dispose();
});

/** A token for every channel, valid for `seconds` (fractions allowed). */
function token(seconds: number, claims: Partial<FakeTokenClaims> = {}): string {
  return unsignedToken({ exp: (Date.now() + seconds * 1000) / 1000, channels: ['*'], ...claims });
}

function open(options: Parameters<typeof connect>[1]): HubConnection {
  const connection = connect(hub.hubUrl, options);
  connections.push(connection);
  return connection;
}

const authFrames = () => hub.received.filter(({ frame }) => frame.op === 'auth');

describe('connection with an access token', () => {
  it('sends auth as the first frame, Bearer on REST, and exposes the granted controls', async () => {
    const job = hub.createJob({ status: 'running' });
    const connection = open({ token: token(60, { controls: ['pause'] }) });
    connection.subscribe(`job:${job.id}`, () => {});
    await waitUntil(() => connection.jobs(`job:${job.id}`).length === 1, 'snapshot arrives');
    expect(hub.received[0]!.frame.op).to.equal('auth');
    expect(connection.grantedControls).to.deep.equal(['pause']);

    await connection.control(job.id, 'pause');
    expect(hub.requests.at(-1)!.authorization).to.match(/^Bearer /);
    const refusal = await connection.control(job.id, 'cancel').catch((error: unknown) => error);
    expect(refusal).to.include({ code: 'forbidden', status: 403 });
  });

  it('grants every control and sends no auth frame without a token', async () => {
    hub.auth = false;
    const connection = open({});
    await waitUntil(() => connection.state === 'live', 'goes live');
    expect(connection.grantedControls).to.deep.equal(['cancel', 'pause', 'resume', 'retry', 'rollback']);
    expect(authFrames()).to.have.length(0);
  });

  it('refreshes the token over the open socket before it expires', async () => {
    let calls = 0;
    const connection = open({ tokenProvider: async () => (++calls, token(2.5)) });
    await waitUntil(() => authFrames().length === 2, 'the refreshed token is sent', { timeout: 4000 });
    // Past the first token's expiry: still the one socket.
    await aTimeout(1000);
    expect(connection.state).to.equal('live');
    expect(hub.webSocketUrls).to.have.length(1);
    expect(hub.openConnections.websocket).to.equal(1);
    expect(calls).to.equal(2);
  });

  it('gets a new token and reconnects when the hub closes with 4402', async () => {
    const tokens = [token(0.4), token(60)];
    const connection = open({ tokenProvider: async () => tokens.shift()! });
    await waitUntil(() => authFrames().length === 2 && connection.state === 'live', 'reconnects', { timeout: 3000 });
    expect(hub.webSocketUrls).to.have.length(2);
    expect(tokens).to.have.length(0);
  });

  it('asks a failing token provider nothing more once the connection is closed', async () => {
    let calls = 0;
    let fail!: (error: Error) => void;
    const connection = open({ tokenProvider: () => (++calls, new Promise<string>((_, reject) => (fail = reject))) });
    connection.release();
    await aTimeout(50);
    fail(new Error('no token'));
    await aTimeout(200);
    expect(calls, 'no retry after the release').to.equal(1);
    expect(hub.webSocketUrls).to.have.length(0);
  });

  it('stays offline after 4401, without retrying', async () => {
    const connection = open({ token: token(-10) });
    await waitUntil(() => connection.state === 'offline', 'goes offline');
    expect(connection.closeReason).to.equal('unauthorized');
    await aTimeout(300);
    expect(hub.webSocketUrls).to.have.length(1);
    expect(connection.state).to.equal('offline');
  });

  it('opens SSE streams with single-use tickets, a new one for each stream', async () => {
    hub.refuseWebSocket = true;
    const job = hub.createJob({ status: 'running' });
    const connection = open({ token: token(60) });
    connection.subscribe(`job:${job.id}`, () => {});
    await waitUntil(() => connection.transport === 'sse' && connection.jobs(`job:${job.id}`).length === 1, 'live over SSE');
    const tickets = () => hub.requests.filter(({ path }) => path === '/v1/tickets');
    expect(tickets()).to.have.length(1);
    expect(tickets()[0]!.authorization).to.match(/^Bearer /);
    expect(new URL(hub.streamUrls[0]!).searchParams.get('ticket')).to.be.a('string');

    // The browser's own reconnect reuses the spent ticket and is refused; the client fetches another.
    hub.disconnect();
    await waitUntil(() => tickets().length === 2 && connection.state === 'live', 'reopens with a new ticket');
    expect(new Set(hub.streamUrls).size).to.equal(2);
  });
});
