import { expect } from '@open-wc/testing';
import type { Job, JobEvent } from '../../server/protocol/job.ts';
import { ChannelState, parsePosition, type ChannelFrame } from './channel-state.ts';
import type { ChannelUpdate } from './types.ts';

/** Hands the state one frame; returns what its listeners were told (null: nothing). */
function apply(state: ChannelState, frame: ChannelFrame): ChannelUpdate | null {
  const updates: ChannelUpdate[] = [];
  const listener = (update: ChannelUpdate) => updates.push(update);
  state.listeners.add(listener);
  state.receive(frame);
  state.listeners.delete(listener);
  return updates[0] ?? null;
}

function applySnapshot(state: ChannelState, snapshot: Job | Job[], recovered: boolean, pos: string): ChannelUpdate | null {
  return apply(state, { op: 'subscribed', id: 1, channel: state.channel, snapshot, recovered, pos });
}

function applyEvent(state: ChannelState, pos: string, event: JobEvent): ChannelUpdate | null {
  return apply(state, { op: 'event', channel: state.channel, pos, event });
}

function job(id: string, seq: number, current = seq): Job {
  return { id, seq, progress: { current } } as Job;
}

function progressEvent(state: Job, offset: number): JobEvent {
  return { jobId: state.id, seq: state.seq, offset, kind: 'progress', job: state } as JobEvent;
}

describe('ChannelState', () => {
  it('parses positions', () => {
    expect(parsePosition('k3x9:42')).to.deep.equal({ epoch: 'k3x9', offset: 42 });
    expect(parsePosition('nope')).to.equal(undefined);
    expect(parsePosition(':5')).to.equal(undefined);
  });

  it('replaces its state with a first or unrecovered snapshot, dropping jobs the hub no longer has', () => {
    const state = new ChannelState('jobs');
    const first = applySnapshot(state, [job('a', 9), job('b', 4)], true, 'e1:10');
    expect(first).to.include({ type: 'snapshot', recovered: false });
    expect(state.resumePosition).to.equal('e1:10');

    const replaced = applySnapshot(state, [job('a', 2)], false, 'e1:30');
    expect(replaced).to.include({ recovered: false });
    expect(state.jobs().map(({ id, seq }) => [id, seq])).to.deep.equal([['a', 2]]);
    expect(state.resumePosition).to.equal('e1:30');
  });

  it('merges a recovered snapshot, newest job by seq, and keeps the position until the replay moves it', () => {
    const state = new ChannelState('jobs');
    applySnapshot(state, [job('a', 3), job('b', 7)], false, 'e1:10');
    const merged = applySnapshot(state, [job('a', 5), job('b', 6)], true, 'e1:20');
    expect(merged).to.include({ recovered: true });
    expect(state.jobs().map(({ id, seq }) => [id, seq])).to.deep.equal([
      ['a', 5],
      ['b', 7],
    ]);
    expect(state.resumePosition, 'events 11..20 are still to come').to.equal('e1:10');
  });

  it('treats a recovered snapshot from another epoch as a fresh start', () => {
    const state = new ChannelState('jobs');
    applySnapshot(state, [job('a', 3), job('b', 1)], false, 'e1:10');
    const update = applySnapshot(state, [job('a', 1)], true, 'e2:1');
    expect(update).to.include({ recovered: false });
    expect(state.jobs().map(({ id }) => id)).to.deep.equal(['a']);
  });

  it('drops duplicate events and never lets an older replayed event take the state back', () => {
    const state = new ChannelState('job:a');
    applySnapshot(state, job('a', 2), false, 'e1:10');
    expect(applyEvent(state, 'e1:12', progressEvent(job('a', 3), 12))).to.include({ type: 'event' });
    expect(applyEvent(state, 'e1:12', progressEvent(job('a', 3), 12)), 'same position again').to.equal(null);
    expect(applyEvent(state, 'e1:11', progressEvent(job('a', 3), 11)), 'older position').to.equal(null);
    expect(state.resumePosition).to.equal('e1:12');

    applySnapshot(state, job('a', 9, 90), true, 'e1:30');
    const replayed = applyEvent(state, 'e1:20', progressEvent(job('a', 6, 60), 20));
    expect(replayed, 'delivered to listeners').to.include({ type: 'event' });
    expect(state.jobs()[0]!.progress.current, 'state stays at the snapshot').to.equal(90);
    expect(state.resumePosition).to.equal('e1:20');
  });

  it('accepts events of a new epoch even at low offsets', () => {
    const state = new ChannelState('job:a');
    applySnapshot(state, job('a', 2), false, 'e1:500');
    expect(applyEvent(state, 'e2:3', progressEvent(job('a', 3), 3))).to.include({ type: 'event' });
    expect(state.jobs()[0]!.seq).to.equal(3);
  });
});
