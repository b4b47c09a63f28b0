/**
 * WebhookReporter on meetings that emit MeetingEvents by hand, over a memory
 * room store shared as several nodes would share Redis: who joins and leaves
 * (once each), which node reports room.started and room.ended, and the
 * order in which the events leave.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { pino } from 'pino';
import type { Meeting, MeetingEvent } from '../../src/meeting/meeting.js';
import { WebhookReporter } from '../../src/meeting/webhook-reporter.js';
import type { PeerInfo } from '../../src/protocol/messages.js';
import { MemoryRoomStore } from '../../src/store/memory-room-store.js';
import type { WebhookEvent } from '../../src/webhooks/events.js';
import { QUICK } from '../helpers/timeouts.js';

const ROOM = 'abc-defg-hij';

/** A room in a shared store, and a reporter per node that records what it would send. */
async function nodes() {
  const store = new MemoryRoomStore();
  await store.createRoom({ id: ROOM, createdAt: Date.now(), lobby: false, locked: false, webinar: false });
  const sent: [string, WebhookEvent][] = [];
  const node = (nodeId: string) => {
    const reporter = new WebhookReporter({ webhooks: { send: (event) => sent.push([nodeId, event]) }, store, nodeId, logger: pino({ level: 'silent' }) });
    const meeting = Object.assign(new EventEmitter<{ event: [MeetingEvent] }>(), { id: ROOM });
    reporter.follow(meeting as unknown as Meeting);
    const emit = (event: MeetingEvent) => meeting.emit('event', event);
    /** A peer joins on this node: its store record first, then the meeting's event, as MeetingRecords does. */
    const join = async (peer: PeerInfo, joinedAt = Date.now()) => {
      await store.addParticipant(ROOM, { peerId: peer.id, displayName: peer.displayName, role: peer.role, state: 'joined', nodeId, joinedAt });
      emit({ type: 'peer', peer, credentialId: `cred-${peer.id}`, owner: false });
    };
    const leave = async (peerId: string) => {
      emit({ type: 'peerLeft', peerId });
      await store.removeParticipant(ROOM, peerId);
    };
    return { reporter, emit, join, leave };
  };
  const summary = () => sent.map(([nodeId, event]) => `${nodeId} ${event.type} ${'peerId' in event.data ? event.data.peerId : ''}`.trim());
  return { store, sent, node, summary };
}

const peer = (id: string, extra: Partial<PeerInfo> = {}): PeerInfo => ({ id, displayName: `Person ${id}`, role: 'participant', handRaised: false, producers: [], ...extra });

test('one node: started, joined once (updates ignored), left, then ended as empty, in order', QUICK, async () => {
  const { sent, node, summary } = await nodes();
  const a = node('a');
  await a.join(peer('p1', { role: 'host' }));
  await a.join(peer('p2', { phone: true }));
  a.emit({ type: 'peer', peer: peer('p1', { role: 'host', handRaised: true }), credentialId: 'cred-p1', owner: false });
  await a.leave('p1');
  await a.leave('p2');
  a.emit({ type: 'closed' });
  await a.reporter.settled();
  assert.deepEqual(summary(), ['a room.started', 'a participant.joined p1', 'a participant.joined p2', 'a participant.left p1', 'a participant.left p2', 'a room.ended']);
  assert.deepEqual(sent[2]![1].data, { roomId: ROOM, peerId: 'p2', displayName: 'Person p2', role: 'participant', phone: true });
  assert.deepEqual(sent[1]![1].data, { roomId: ROOM, peerId: 'p1', displayName: 'Person p1', role: 'host' });
  assert.deepEqual(sent.at(-1)![1].data, { roomId: ROOM, reason: 'empty' });
});

test('a host ends the meeting: everyone here leaves with it, then room.ended, and closing adds nothing', QUICK, async () => {
  const { store, sent, node, summary } = await nodes();
  const a = node('a');
  await a.join(peer('p1', { role: 'host' }));
  await a.join(peer('p2'));
  await store.deleteRoom(ROOM);
  a.emit({ type: 'ended', reason: 'The host ended the meeting.' });
  a.emit({ type: 'closed' });
  await a.reporter.settled();
  assert.deepEqual(summary(), ['a room.started', 'a participant.joined p1', 'a participant.joined p2', 'a participant.left p1', 'a participant.left p2', 'a room.ended']);
  assert.equal((sent[3]![1].data as { reason?: string }).reason, 'the meeting ended');
  assert.deepEqual(sent.at(-1)![1].data, { roomId: ROOM, reason: 'ended by a host' });
});

test('two nodes: the first to have someone reports the start, the last to empty reports the end', QUICK, async () => {
  const { store, node, summary } = await nodes();
  const [a, b] = [node('a'), node('b')];
  await a.join(peer('p1'));
  await a.reporter.settled();
  await b.join(peer('p2'));
  await b.reporter.settled();
  await a.leave('p1');
  a.emit({ type: 'closed' });
  await a.reporter.settled();
  await b.leave('p2');
  b.emit({ type: 'closed' });
  await b.reporter.settled();
  assert.deepEqual(summary(), ['a room.started', 'a participant.joined p1', 'b participant.joined p2', 'a participant.left p1', 'b participant.left p2', 'b room.ended']);

  // Both nodes' first joiners at once: only the node of the earlier one reports the start.
  const before = summary().length;
  const [c, d] = [node('c'), node('d')];
  await store.addParticipant(ROOM, { peerId: 'p4', displayName: 'Person p4', role: 'participant', state: 'joined', nodeId: 'd', joinedAt: 2_000 });
  await c.join(peer('p3'), 1_000);
  d.emit({ type: 'peer', peer: peer('p4'), credentialId: 'cred-p4', owner: false });
  await Promise.all([c.reporter.settled(), d.reporter.settled()]);
  assert.deepEqual(summary().slice(before).sort(), ['c participant.joined p3', 'c room.started', 'd participant.joined p4']);
});

test('a node whose meeting closes while the room was ended elsewhere reports its people leaving, not the end', QUICK, async () => {
  const { store, sent, node, summary } = await nodes();
  const b = node('b');
  await b.join(peer('p2'));
  await store.deleteRoom(ROOM);
  b.emit({ type: 'closed' });
  await b.reporter.settled();
  assert.deepEqual(summary(), ['b room.started', 'b participant.joined p2', 'b participant.left p2']);
  assert.equal((sent[2]![1].data as { reason?: string }).reason, 'the meeting ended');
});

test('a meeting nobody joined (a pre-join page that went away) reports nothing', QUICK, async () => {
  const { node, summary } = await nodes();
  const a = node('a');
  a.emit({ type: 'lobby', waiting: [] });
  a.emit({ type: 'closed' });
  await a.reporter.settled();
  assert.deepEqual(summary(), []);
});

test('a meeting closed on this node with people in it: they leave, and its own records (still being dropped) do not keep the room going', QUICK, async () => {
  const { sent, node, summary } = await nodes();
  const a = node('a');
  await a.join(peer('p1'));
  a.emit({ type: 'closed' });
  await a.reporter.settled();
  assert.deepEqual(summary(), ['a room.started', 'a participant.joined p1', 'a participant.left p1', 'a room.ended']);
  assert.equal((sent[2]![1].data as { reason?: string }).reason, 'the meeting closed on this server');
});
