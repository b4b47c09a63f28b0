/**
 * The rules of a meeting without a worker or a browser: the lobby, host
 * commands, the store written first (and undone when the live change is
 * refused), and commands and people from other nodes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashPassword } from '../../src/auth/room-password.js';
import { RoomLimits } from '../../src/meeting/room-limits.js';
import { SignallingError } from '../../src/protocol/errors.js';
import { MemoryRoomStore } from '../../src/store/memory-room-store.js';
import { StoreUnavailableError } from '../../src/store/room-store.js';
import { hostIn, meetingFixture, TestPeer } from './meeting-fixture.js';

const FAST = { timeout: 5_000 };
const code = (expected: string) => (error: unknown) => error instanceof SignallingError && error.code === expected;

test('a newcomer waits in the lobby, the host is told, and admitting brings them in with a record in the store', FAST, async () => {
  const f = await meetingFixture();
  const host = await hostIn(f);
  const guest = new TestPeer('guest');
  const answer = await f.join(guest);
  assert.equal(answer.status, 'waiting');
  assert.equal(guest.state, 'waiting');
  assert.deepEqual(host.got('lobbyChanged').at(-1), { waiting: [{ peerId: 'guest', displayName: 'guest' }] });
  assert.equal((await f.store.listParticipants(f.meeting.id)).find((p) => p.peerId === 'guest')?.state, 'waiting');

  await f.meeting.command(host, 'guest', 'admit');
  assert.equal(guest.state, 'joined');
  assert.ok(f.media.members.has('guest'), 'the media room has them');
  assert.equal(guest.got('joined').length, 1);
  assert.equal(host.got('peerJoined').length, 1);
  await host.latest('lobbyChanged', { waiting: [] });
  assert.equal((await f.store.listParticipants(f.meeting.id)).find((p) => p.peerId === 'guest')?.state, 'joined');
  await assert.rejects(f.meeting.command(host, 'guest', 'admit'), code('invalid_state'), 'admitting someone already in');
});

test('two hosts admitting at once let the guest in once', FAST, async () => {
  const f = await meetingFixture();
  const host = await hostIn(f);
  const guest = new TestPeer('guest');
  await f.join(guest);
  const results = await Promise.allSettled([f.meeting.command(host, 'guest', 'admit'), f.meeting.command(host, 'guest', 'admit')]);
  assert.ok(results.some((result) => result.status === 'fulfilled'));
  assert.equal(guest.got('joined').length, 1);
  assert.equal(host.got('peerJoined').length, 1);
});

test('remove revokes the credential the person entered with, drops their record and tells them why', FAST, async () => {
  const f = await meetingFixture({ lobby: false });
  const host = await hostIn(f);
  const bob = new TestPeer('bob');
  const { credential } = await f.join(bob);
  await f.meeting.command(host, 'bob', 'remove');
  assert.equal(bob.disconnected, true);
  assert.deepEqual(bob.got('sessionClosed'), [{ reason: 'A host removed you from the meeting.', cause: 'removed' }]);
  assert.deepEqual(host.got('peerLeft'), [{ peerId: 'bob' }]);
  assert.equal((await f.store.listParticipants(f.meeting.id)).some((p) => p.peerId === 'bob'), false);
  await assert.rejects(f.join(new TestPeer('bob-again'), { credential }), code('credential_revoked'));
});

test('deny revokes the lobby ticket; promote records and tells the new host; mute asks the media room and tells the owner', FAST, async () => {
  const f = await meetingFixture();
  const host = await hostIn(f);
  const guest = new TestPeer('guest');
  const { credential: ticket } = await f.join(guest);
  await f.meeting.command(host, 'guest', 'deny');
  assert.equal(guest.got('denied').length, 1);
  await assert.rejects(f.join(new TestPeer('guest-again'), { credential: ticket }), code('credential_revoked'));

  const carol = new TestPeer('carol');
  await f.join(carol);
  await f.meeting.command(host, 'carol', 'admit');
  await f.meeting.command(host, 'carol', 'promote');
  assert.equal(carol.role, 'host');
  assert.equal(carol.got('promoted').length, 1);
  assert.equal((await f.store.listParticipants(f.meeting.id)).find((p) => p.peerId === 'carol')?.role, 'host');

  await f.meeting.command(host, 'carol', 'mute');
  assert.deepEqual(f.media.stopped, [{ peerId: 'carol', sources: ['mic'] }]);
  assert.deepEqual(carol.got('mediaStoppedByHost'), [{ producerId: 'carol-mic', source: 'mic' }]);
  await assert.rejects(f.meeting.command(host, 'nobody', 'mute'), code('not_found'));
});

test('a command for someone another node serves goes out as an event; one from another node runs here', FAST, async () => {
  const f = await meetingFixture();
  const host = await hostIn(f);
  f.meeting.remotePeer({ info: { id: 'remote-1', displayName: 'Rita', role: 'participant', handRaised: false, producers: [] }, nodeId: 'B', credentialId: 'c-r', owner: false });
  f.meeting.remoteLobby('B', [{ peerId: 'remote-2', displayName: 'Ray' }]);
  await f.meeting.command(host, 'remote-1', 'mute');
  await f.meeting.command(host, 'remote-2', 'admit');
  assert.deepEqual(
    f.events.filter((event) => event.type === 'command'),
    [
      { type: 'command', targetPeerId: 'remote-1', command: 'mute' },
      { type: 'command', targetPeerId: 'remote-2', command: 'admit' },
    ],
  );
  await assert.rejects(f.meeting.command(host, 'remote-1', 'admit'), code('invalid_state'), 'admit is for the lobby');

  const local = new TestPeer('local');
  await f.join(local);
  await f.meeting.remoteCommand('local', 'admit');
  assert.equal(local.state, 'joined');
  f.meeting.nodeGone('B');
  assert.equal(f.meeting.roster.remote.size, 0);
  assert.deepEqual(f.meeting.roster.lobby(), []);
});

test('the same credential arriving through another node replaces the session here', FAST, async () => {
  const f = await meetingFixture({ lobby: false });
  await hostIn(f);
  const bob = new TestPeer('bob');
  await f.join(bob);
  f.meeting.remotePeer({ info: { id: 'bob-elsewhere', displayName: 'bob', role: 'participant', handRaised: false, producers: [] }, nodeId: 'B', credentialId: bob.credentialId, owner: false });
  assert.deepEqual(bob.got('sessionClosed'), [{ reason: 'You joined from another tab or device.', cause: 'replaced' }]);
  assert.equal(f.meeting.roster.get('bob'), undefined);
});

test('the store is written first: when it cannot be reached, nobody moves', FAST, async () => {
  const store = new MemoryRoomStore();
  const f = await meetingFixture({}, store);
  const host = await hostIn(f);
  store.addParticipant = async () => {
    throw new StoreUnavailableError(new Error('connection refused'));
  };
  const guest = new TestPeer('guest');
  const toldBefore = host.received.length;
  await assert.rejects(f.join(guest), StoreUnavailableError);
  assert.equal(guest.state, 'connected', 'not in the lobby');
  assert.equal(host.received.length, toldBefore, 'the host was told nothing');
});

test('a live change refused after the store write undoes the write: a full room', FAST, async () => {
  const f = await meetingFixture({ lobby: true, maxPeers: 1 });
  const host = await hostIn(f);
  const guest = new TestPeer('guest');
  await f.join(guest);
  await assert.rejects(f.meeting.command(host, 'guest', 'admit'), code('room_full'));
  assert.equal(guest.state, 'waiting');
  assert.equal((await f.store.listParticipants(f.meeting.id)).find((p) => p.peerId === 'guest')?.state, 'waiting');
});

test('a lobby holds no more people than the room', FAST, async () => {
  const f = await meetingFixture({ maxPeers: 2 });
  await f.join(new TestPeer('w1'));
  await f.join(new TestPeer('w2'));
  await assert.rejects(f.join(new TestPeer('w3')), code('room_full'));
});

test('a peer that left while its join was being recorded is not put in the lobby, and its record is undone', FAST, async () => {
  const f = await meetingFixture();
  const guest = new TestPeer('guest');
  f.meeting.attach(guest);
  const other = new TestPeer('keeps-the-meeting-open');
  f.meeting.attach(other);
  const joining = f.join(guest);
  await f.meeting.leave(guest);
  await assert.rejects(joining, code('invalid_state'));
  assert.equal((await f.store.listParticipants(f.meeting.id)).some((p) => p.peerId === 'guest'), false);
});

test('only the meeting’s creator may remove the creator; a promoted host may not', FAST, async () => {
  const f = await meetingFixture({ lobby: false });
  const creator = new TestPeer('creator');
  await f.join(creator, { credential: await f.credentials.issue(f.meeting.id, 'host', undefined, true) });
  const cohost = await hostIn(f, 'cohost');
  const bob = new TestPeer('bob');
  await f.join(bob);
  await assert.rejects(f.meeting.command(cohost, 'creator', 'remove'), code('forbidden'));
  assert.equal(creator.state, 'joined');
  await f.meeting.command(cohost, 'creator', 'mute');
  await f.meeting.command(cohost, 'bob', 'remove');
  await f.meeting.command(creator, 'cohost', 'remove');
  assert.equal(cohost.state, 'closed', 'the creator may remove anyone');
  f.meeting.remotePeer({ info: { id: 'creator-elsewhere', displayName: 'C', role: 'host', handRaised: false, producers: [] }, nodeId: 'B', credentialId: 'c-x', owner: true });
  const other = await hostIn(f, 'other-host');
  await assert.rejects(f.meeting.command(other, 'creator-elsewhere', 'remove'), code('forbidden'), 'also when another node serves the creator');
});

test('the operator removes anyone, the creator too; turns away someone in the lobby; and reaches people on other nodes', FAST, async () => {
  const f = await meetingFixture();
  const creator = new TestPeer('creator');
  await f.join(creator, { credential: await f.credentials.issue(f.meeting.id, 'host', undefined, true) });
  const knocker = new TestPeer('knocker');
  await f.join(knocker);
  await f.meeting.removeByServer('creator');
  assert.deepEqual(creator.got('sessionClosed'), [{ reason: 'A host removed you from the meeting.', cause: 'removed' }]);
  assert.equal(await f.store.isCredentialRevoked(f.meeting.id, creator.credentialId), true, 'their link no longer lets them in');
  await f.meeting.removeByServer('knocker');
  assert.equal(knocker.got('denied').length, 1, 'someone in the lobby is turned away');
  assert.equal(await f.store.isCredentialRevoked(f.meeting.id, knocker.credentialId), true);

  f.meeting.remotePeer({ info: { id: 'remote-1', displayName: 'Rita', role: 'host', handRaised: false, producers: [] }, nodeId: 'B', credentialId: 'c-r', owner: true });
  f.meeting.remoteLobby('B', [{ peerId: 'remote-2', displayName: 'Ray' }]);
  await f.meeting.removeByServer('remote-1');
  await f.meeting.removeByServer('remote-2');
  assert.deepEqual(
    f.events.filter((event) => event.type === 'command'),
    [
      { type: 'command', targetPeerId: 'remote-1', command: 'remove' },
      { type: 'command', targetPeerId: 'remote-2', command: 'deny' },
    ],
  );
  await assert.rejects(f.meeting.removeByServer('nobody'), code('not_found'));
});

test('one address may have only a few people waiting in one lobby', FAST, async () => {
  const f = await meetingFixture();
  for (let index = 0; index < 3; index++) await f.join(new TestPeer(`squatter-${index}`, '10.0.0.5'));
  await assert.rejects(f.join(new TestPeer('squatter-3', '10.0.0.5')), code('too_many_requests'));
  assert.equal((await f.join(new TestPeer('guest', '10.0.0.8'))).status, 'waiting', 'someone else still gets in line');
});

test('knocks and password guesses are budgeted per room, and reopening the meeting does not refill them', FAST, async () => {
  const limits = new RoomLimits();
  const first = await meetingFixture({ limits });
  first.meeting.attach(new TestPeer('keeps-the-meeting-open'));
  let refused = 0;
  for (let index = 0; index < 40; index++) {
    const peer = new TestPeer(`knocker-${index}`, `10.1.0.${index}`);
    await first.join(peer).then(() => first.meeting.leave(peer), () => refused++);
  }
  assert.ok(refused >= 9, `a burst of 40 knocks is cut to about 30 (${refused} refused)`);
  const reopened = await meetingFixture({ limits });
  await assert.rejects(reopened.join(new TestPeer('next', '10.2.0.1')), code('rate_limited'));
});

test('hosts hear about a storm of knocks in a few messages, and the last one is right', FAST, async () => {
  const f = await meetingFixture();
  const host = await hostIn(f);
  const before = host.got('lobbyChanged').length;
  const stayer = new TestPeer('stayer', '10.3.0.1');
  for (let index = 0; index < 20; index++) {
    const knocker = new TestPeer(`k-${index}`, `10.3.1.${index}`);
    await f.join(knocker);
    await f.meeting.leave(knocker);
  }
  await f.join(stayer);
  await host.latest('lobbyChanged', { waiting: [{ peerId: 'stayer', displayName: 'stayer' }] });
  assert.ok(host.got('lobbyChanged').length - before <= 3, `${host.got('lobbyChanged').length - before} messages for 41 changes`);
});

test('a reaction reaches everyone, the sender too, at a bounded rate; one from another node only from someone there', FAST, async () => {
  const f = await meetingFixture({ lobby: false });
  const host = await hostIn(f);
  const bob = new TestPeer('bob');
  await f.join(bob);
  const results = Array.from({ length: 7 }, () => {
    try {
      f.meeting.react(bob, 'applause');
      return 'ok';
    } catch (error) {
      return (error as SignallingError).code;
    }
  });
  assert.deepEqual(results, ['ok', 'ok', 'ok', 'ok', 'ok', 'rate_limited', 'rate_limited']);
  assert.equal(host.got('reaction').length, 5);
  assert.deepEqual(bob.got('reaction')[0], { peerId: 'bob', reaction: 'applause' });
  assert.equal(f.events.filter((event) => event.type === 'reaction').length, 5, 'other nodes hear each one');
  f.meeting.remoteReaction('nobody-known', 'heart');
  assert.equal(host.got('reaction').length, 5, 'a reaction from an unknown peer goes nowhere');
});

test('raising a hand that is already raised tells nobody', FAST, async () => {
  const f = await meetingFixture({ lobby: false });
  const host = await hostIn(f);
  const bob = new TestPeer('bob');
  await f.join(bob);
  f.meeting.setHandRaised(bob, true);
  f.meeting.setHandRaised(bob, true);
  f.meeting.setHandRaised(bob, true);
  assert.equal(host.got('peerUpdated').length, 1);
});

test('a peer moves only forward through its states', FAST, () => {
  const peer = new TestPeer('p');
  peer.transition('waiting');
  assert.throws(() => peer.transition('connected'), code('invalid_state'));
  peer.transition('joined');
  assert.throws(() => peer.transition('waiting'), code('invalid_state'));
  peer.transition('closed');
  assert.throws(() => peer.transition('joined'), code('invalid_state'));
});

test('password guesses for one meeting are limited, whoever makes them', FAST, async () => {
  const f = await meetingFixture({ passwordHash: await hashPassword('the-right-one') });
  const guess = (index: number) => f.join(new TestPeer(`guesser-${index}`), { password: `wrong-${index}` });
  const results = await Promise.allSettled(Array.from({ length: 12 }, (_, index) => guess(index)));
  const codes = results.map((result) => (result.status === 'rejected' ? (result.reason as SignallingError).code : 'ok'));
  assert.equal(codes.filter((c) => c === 'password_incorrect').length, 10);
  assert.equal(codes.filter((c) => c === 'rate_limited').length, 2);
});

test('mute everyone mutes every microphone but the host’s own, here and on other nodes, and tells each owner', FAST, async () => {
  const f = await meetingFixture({ lobby: false });
  const host = await hostIn(f);
  const bob = new TestPeer('bob');
  const carol = new TestPeer('carol');
  await f.join(bob);
  await f.join(carol);
  const waiting = new TestPeer('waiting');
  await f.meeting.updateSettings(host, { lobby: true });
  await f.join(waiting);
  f.meeting.remotePeer({ info: { id: 'remote-1', displayName: 'Rita', role: 'participant', handRaised: false, producers: [] }, nodeId: 'B', credentialId: 'c-r', owner: false });
  f.events.length = 0;

  await f.meeting.muteAll(host);
  assert.deepEqual(
    f.media.stopped.map(({ peerId, sources }) => `${peerId}:${sources.join(',')}`).sort(),
    ['bob:mic', 'carol:mic'],
    'the host and the person in the lobby are left alone',
  );
  assert.deepEqual(bob.got('mediaStoppedByHost'), [{ producerId: 'bob-mic', source: 'mic' }]);
  assert.deepEqual(carol.got('mediaStoppedByHost'), [{ producerId: 'carol-mic', source: 'mic' }]);
  assert.equal(host.got('mediaStoppedByHost').length, 0);
  assert.deepEqual(f.events, [{ type: 'command', targetPeerId: 'remote-1', command: 'mute' }], 'the other node mutes its own');
});

test('ask to unmute only asks: the person is told, nothing of theirs changes, and it works across nodes', FAST, async () => {
  const f = await meetingFixture({ lobby: false });
  const host = await hostIn(f);
  const bob = new TestPeer('bob');
  await f.join(bob);
  await f.meeting.command(host, 'bob', 'askToUnmute');
  assert.deepEqual(bob.got('unmuteRequested'), [{}]);
  assert.deepEqual(f.media.stopped, [], 'no media touched');

  f.meeting.remotePeer({ info: { id: 'remote-1', displayName: 'Rita', role: 'participant', handRaised: false, producers: [] }, nodeId: 'B', credentialId: 'c-r', owner: false });
  f.events.length = 0;
  await f.meeting.command(host, 'remote-1', 'askToUnmute');
  assert.deepEqual(f.events, [{ type: 'command', targetPeerId: 'remote-1', command: 'askToUnmute' }]);
  await f.meeting.remoteCommand('bob', 'askToUnmute');
  assert.equal(bob.got('unmuteRequested').length, 2);

  const guest = new TestPeer('guest');
  await f.meeting.updateSettings(host, { lobby: true });
  await f.join(guest);
  await assert.rejects(f.meeting.command(host, 'guest', 'askToUnmute'), code('invalid_state'), 'not for the lobby');
});

test('a dead worker resets only its people’s media: they stay in the meeting and nobody sees them leave', FAST, async () => {
  const f = await meetingFixture({ lobby: false });
  const host = await hostIn(f);
  const bob = new TestPeer('bob');
  await f.join(bob);
  f.media.emit('mediaLost', ['bob']);
  assert.deepEqual(bob.got('mediaReset'), [{ reason: 'the media server restarted' }]);
  assert.deepEqual(host.got('mediaReset'), [], 'a peer on a live worker is left alone');
  assert.equal(bob.state, 'joined');
  assert.equal(bob.disconnected, false);
  assert.deepEqual(host.got('peerLeft'), []);
  assert.equal(f.events.some((event) => event.type === 'peerLeft' || event.type === 'closed'), false);

  // Only a room that cannot get a live router again ends its sessions, so the pages rejoin.
  f.media.emit('failed');
  assert.equal(f.meeting.closed, true);
  assert.deepEqual(bob.got('sessionClosed'), [{ reason: 'the media server restarted; please rejoin', cause: 'server' }]);
});
