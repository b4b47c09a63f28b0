/**
 * The meeting's rules for recording and streaming, with a stand-in recorder:
 * one at a time per room (the store says which node), everyone told, the
 * meeting kept open while it records, a lost node's recording released, a
 * failure told to hosts, and starts limited per room.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Egress, EgressKind } from '../../src/meeting/egress.js';
import type { Meeting } from '../../src/meeting/meeting.js';
import { hostIn, meetingFixture, TestPeer } from './meeting-fixture.js';

const FAST = { timeout: 5_000 };

/** Records nothing; remembers what it was asked, and ends what it runs when told to stop. */
class StandInEgress implements Egress<Meeting> {
  readonly calls: string[] = [];
  readonly running = new Map<string, Meeting>();
  async startRecording(meeting: Meeting, { tracks }: { tracks: boolean }): Promise<void> {
    this.calls.push(`record ${tracks}`);
    this.running.set('recording', meeting);
  }
  async startStreaming(meeting: Meeting, url: string): Promise<void> {
    this.calls.push(`stream ${url}`);
    this.running.set('streaming', meeting);
  }
  async stop(_roomId: string, kind: EgressKind): Promise<void> {
    this.calls.push(`stop ${kind}`);
    await this.running.get(kind)?.egressEnded(kind);
    this.running.delete(kind);
  }
  async recordings(): Promise<[]> {
    return [];
  }
}

const room = (recording: boolean, streaming = false) => ({ room: { locked: false, lobby: false, recording, streaming, webinar: false } });
const code = (expected: string) => (error: unknown) => (error as { code?: string }).code === expected;

test('a recording runs once per room: the store names the node, everyone is told, and stopping frees it', FAST, async () => {
  const egress = new StandInEgress();
  const f = await meetingFixture({ lobby: false, egress });
  const host = await hostIn(f);
  const bob = new TestPeer('bob');
  await f.join(bob);
  await f.meeting.startRecording({ tracks: true });
  assert.equal((await f.store.getRoom(f.meeting.id))!.recordingNode, 'node-test');
  await bob.latest('roomUpdated', room(true));
  await host.latest('roomUpdated', room(true));
  await assert.rejects(f.meeting.startRecording({ tracks: false }), code('invalid_state'));
  await f.meeting.stopEgress('recording');
  assert.deepEqual(egress.calls, ['record true', 'stop recording']);
  assert.equal((await f.store.getRoom(f.meeting.id))!.recordingNode, undefined);
  await bob.latest('roomUpdated', room(false));
  await assert.rejects(f.meeting.stopEgress('recording'), code('invalid_state'));
});

test('a newcomer learns it in joined; a recording of another node is stopped through an event', FAST, async () => {
  const egress = new StandInEgress();
  const f = await meetingFixture({ lobby: false, egress });
  await hostIn(f);
  await f.store.claimEgress(f.meeting.id, 'streaming', 'node-elsewhere');
  const carol = new TestPeer('carol');
  await f.join(carol);
  assert.deepEqual((carol.got('joined')[0] as { room: unknown }).room, room(false, true).room);
  await f.meeting.stopEgress('streaming');
  assert.deepEqual(f.events.at(-1), { type: 'stopEgress', kind: 'streaming' });
  assert.deepEqual(egress.calls, [], 'this node runs nothing');
  // The node died: what it streamed is released, and everyone here is told.
  f.meeting.nodeGone('node-elsewhere');
  await carol.latest('roomUpdated', room(false, false));
  assert.equal((await f.store.getRoom(f.meeting.id))!.streamingNode, undefined);
});

test('the meeting stays open on this node while it records, and closes when the recording ends', FAST, async () => {
  const egress = new StandInEgress();
  const f = await meetingFixture({ lobby: false, egress });
  const host = await hostIn(f);
  await f.meeting.startRecording({ tracks: false });
  await f.meeting.leave(host);
  assert.equal(f.meeting.closed, false, 'kept open for the recording');
  await egress.stop(f.meeting.id, 'recording');
  assert.equal(f.meeting.closed, true);
});

test('a failure is told to every host; starts are limited per room', FAST, async () => {
  const egress = new StandInEgress();
  const f = await meetingFixture({ lobby: false, egress });
  const host = await hostIn(f);
  const bob = new TestPeer('bob');
  await f.join(bob);
  await f.meeting.startStreaming('rtmp://live.example.com/app/key');
  await f.meeting.egressEnded('streaming', 'the stream server refused the key');
  assert.deepEqual(host.got('egressFailed'), [{ what: 'streaming', reason: 'the stream server refused the key' }]);
  assert.deepEqual(bob.got('egressFailed'), [], 'only hosts');
  for (let start = 2; start <= 6; start++) {
    await f.meeting.startRecording({ tracks: false });
    await f.meeting.stopEgress('recording');
  }
  await assert.rejects(f.meeting.startRecording({ tracks: false }), code('rate_limited'));
});

test('a server without a recorder says so', FAST, async () => {
  const f = await meetingFixture({ lobby: false });
  await hostIn(f);
  await assert.rejects(f.meeting.startRecording({ tracks: false }), code('forbidden'));
});
