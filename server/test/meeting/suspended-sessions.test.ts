/**
 * Sessions held for resume: capped per address and per node (the oldest
 * goes first), taken out only by a matching proof, and never extended by a
 * failed attempt.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SuspendedSessions, type Resumable } from '../../src/meeting/suspended-sessions.js';
import { Peer } from '../../src/roster/peer.js';
import { withDeadline } from '../../testkit/wait.js';

const FAST = { timeout: 5_000 };

class FakeSession implements Resumable {
  readonly peer: Peer;
  closed = false;
  /** Resolves when the session is closed. */
  readonly whenClosed: Promise<void>;
  private markClosed!: () => void;
  constructor(
    id: string,
    readonly roomId = 'room',
  ) {
    this.peer = new Peer(id, { notify: () => {}, disconnect: () => {} });
    this.whenClosed = new Promise((resolve) => (this.markClosed = resolve));
  }
  async close(): Promise<void> {
    this.closed = true;
    this.markClosed();
  }
}

test('one address holds at most its cap; the oldest of that address closes first, others are untouched', FAST, () => {
  const held = new SuspendedSessions<FakeSession>({ perAddress: 2, total: 100, graceMs: 60_000 });
  const [a1, a2, a3, b1] = [new FakeSession('a1'), new FakeSession('a2'), new FakeSession('a3'), new FakeSession('b1')];
  held.hold(a1, '10.0.0.1');
  held.hold(b1, '10.0.0.2');
  held.hold(a2, '10.0.0.1');
  held.hold(a3, '10.0.0.1');
  assert.equal(held.heldBy('10.0.0.1'), 2);
  assert.equal(a1.closed, true, 'the oldest of the address went');
  assert.deepEqual([a2.closed, a3.closed, b1.closed], [false, false, false]);
  void held.closeAll();
});

test('the node holds at most its total, whoever holds them', FAST, () => {
  const held = new SuspendedSessions<FakeSession>({ perAddress: 10, total: 3, graceMs: 60_000 });
  const sessions = Array.from({ length: 5 }, (_, index) => new FakeSession(`s${index}`));
  sessions.forEach((session, index) => held.hold(session, `10.0.0.${index}`));
  assert.equal(held.size, 3);
  assert.deepEqual(sessions.map((session) => session.closed), [true, true, false, false, false]);
  void held.closeAll();
});

test('a wrong proof takes nothing out and extends nothing: the session still closes when its grace ends', FAST, async () => {
  const held = new SuspendedSessions<FakeSession>({ perAddress: 5, total: 5, graceMs: 200 });
  const victim = new FakeSession('victim');
  const heldAt = Date.now();
  held.hold(victim, '10.0.0.1');
  for (let attempt = 0; attempt < 5; attempt++) {
    assert.equal(held.claim('victim', () => false), undefined);
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
  await withDeadline(victim.whenClosed, 3_000, 'the held session to close at the end of its grace period');
  assert.ok(Date.now() - heldAt < 2_000, 'not pushed back by the failed claims');
  assert.equal(held.claim('victim', () => true), undefined, 'gone for good');
});

test('the right proof takes the session out, once', FAST, () => {
  const held = new SuspendedSessions<FakeSession>({ perAddress: 5, total: 5, graceMs: 60_000 });
  const session = new FakeSession('p');
  held.hold(session, '10.0.0.1');
  assert.equal(held.claim('p', (candidate) => candidate.roomId === 'room'), session);
  assert.equal(held.claim('p', () => true), undefined);
  assert.equal(held.heldBy('10.0.0.1'), 0);
  assert.equal(session.closed, false);
});
