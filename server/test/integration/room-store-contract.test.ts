/** One contract, two room stores: in memory, and Redis (a real redis-server). */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createClient } from 'redis';
import { MemoryRoomStore } from '../../src/store/memory-room-store.js';
import { RedisRoomStore, type RedisClient } from '../../src/store/redis-room-store.js';
import { DialInPinTaken, ROOM_TTL_SECONDS, type RoomStore } from '../../src/store/room-store.js';
import { TestRedis } from '../../testkit/redis.js';
import { HOOK, SERVER } from '../helpers/timeouts.js';

const person = (peerId: string, state: 'waiting' | 'joined' = 'joined') => ({
  peerId,
  displayName: peerId.toUpperCase(),
  role: 'participant' as const,
  state,
  nodeId: 'node-1',
  joinedAt: 1,
});
const message = (n: number) => ({ id: `m${n}`, peerId: 'p1', displayName: 'Ann', text: `hello ${n}`, sentAt: 1000 + n });
let counter = 0;
const newRoom = () => ({ id: `room-${process.pid}-${counter++}`, createdAt: 1234, lobby: true, locked: false, webinar: false });

function contract(name: string, open: () => Promise<RoomStore>, extra?: (store: () => RoomStore) => void): void {
  describe(name, SERVER, () => {
    let store: RoomStore;
    before(async () => {
      store = await open();
    }, HOOK);

    test('a room is created once, read back, and updated', SERVER, async () => {
      const room = newRoom();
      await store.createRoom(room);
      assert.deepEqual(await store.getRoom(room.id), room);
      await assert.rejects(store.createRoom({ ...room, lobby: false }), /already exists/);
      assert.deepEqual(await store.getRoom(room.id), room, 'a second create changes nothing');
      assert.deepEqual(await store.updateRoom(room.id, { locked: true }), { ...room, locked: true });
      assert.deepEqual(await store.updateRoom(room.id, { lobby: false }), { ...room, locked: true, lobby: false });
      assert.equal(await store.updateRoom('no-such-room', { locked: true }), undefined);
      assert.equal(await store.getRoom('no-such-room'), undefined);
    });

    test('a webinar is created as one, and the flag is switched off and on like any setting', SERVER, async () => {
      const webinar = { ...newRoom(), webinar: true };
      await store.createRoom(webinar);
      assert.deepEqual(await store.getRoom(webinar.id), webinar);
      assert.deepEqual(await store.updateRoom(webinar.id, { webinar: false }), { ...webinar, webinar: false });
      assert.deepEqual(await store.updateRoom(webinar.id, { webinar: true, lobby: false }), { ...webinar, lobby: false });
      assert.equal((await store.listRooms()).find((listing) => listing.room.id === webinar.id)?.room.webinar, true);
      const meeting = newRoom();
      await store.createRoom(meeting);
      assert.equal((await store.getRoom(meeting.id))?.webinar, false, 'a meeting is not a webinar');
      await store.addParticipant(webinar.id, { ...person('viewer'), role: 'attendee' });
      assert.equal((await store.listParticipants(webinar.id))[0]?.role, 'attendee', 'an attendee is kept with their role');
    });

    test('a recording or a stream runs on one node at a time, and only that node ends it', SERVER, async () => {
      const room = newRoom();
      await store.createRoom(room);
      assert.equal(await store.claimEgress(room.id, 'recording', 'node-a'), true);
      assert.equal(await store.claimEgress(room.id, 'recording', 'node-b'), false, 'a second node cannot record too');
      assert.equal(await store.claimEgress(room.id, 'streaming', 'node-b'), true, 'streaming is claimed apart');
      assert.deepEqual(await store.getRoom(room.id), { ...room, recordingNode: 'node-a', streamingNode: 'node-b' });
      assert.deepEqual(await store.releaseEgress(room.id, 'recording', 'node-b'), { ...room, recordingNode: 'node-a', streamingNode: 'node-b' }, 'not node-b\'s to end');
      assert.deepEqual(await store.releaseEgress(room.id, 'recording', 'node-a'), { ...room, streamingNode: 'node-b' });
      assert.equal(await store.claimEgress(room.id, 'recording', 'node-b'), true, 'free again');
      assert.equal(await store.claimEgress('no-such-room', 'recording', 'node-a'), undefined);
      assert.equal(await store.releaseEgress('no-such-room', 'recording', 'node-a'), undefined);
    });

    test('participants and the lobby queue: who, where, in which role', SERVER, async () => {
      const room = newRoom();
      await store.createRoom(room);
      await store.addParticipant(room.id, person('a'));
      await store.addParticipant(room.id, person('b', 'waiting'));
      await store.addParticipant(room.id, { ...person('b'), role: 'host' });
      await store.addParticipant(room.id, person('c', 'waiting'));
      await store.removeParticipant(room.id, 'a');
      const byId = (list: { peerId: string }[]) => [...list].sort((x, y) => x.peerId.localeCompare(y.peerId));
      assert.deepEqual(byId(await store.listParticipants(room.id)), [{ ...person('b'), role: 'host' }, person('c', 'waiting')]);
    });

    test('revoked credentials stay revoked, per room', SERVER, async () => {
      const room = newRoom();
      const other = newRoom();
      await store.createRoom(room);
      await store.createRoom(other);
      await store.revokeCredential(room.id, 'cred-1');
      assert.equal(await store.isCredentialRevoked(room.id, 'cred-1'), true);
      assert.equal(await store.isCredentialRevoked(room.id, 'cred-2'), false);
      assert.equal(await store.isCredentialRevoked(other.id, 'cred-1'), false);
    });

    test('stream keys: at most the cap, listed oldest first, removed once, gone with their room', SERVER, async () => {
      const room = newRoom();
      await store.createRoom(room);
      const key = (id: string, createdAt: number) => ({ id, label: `OBS ${id}`, secretHash: 'ab'.repeat(32), createdAt });
      assert.equal(await store.addStreamKey(room.id, key('k2', 2), 2), true);
      assert.equal(await store.addStreamKey(room.id, key('k1', 1), 2), true);
      assert.equal(await store.addStreamKey(room.id, key('k3', 3), 2), false, 'the third key is over the cap');
      assert.deepEqual(await store.listStreamKeys(room.id), [key('k1', 1), key('k2', 2)]);
      assert.equal(await store.removeStreamKey(room.id, 'k1'), true);
      assert.equal(await store.removeStreamKey(room.id, 'k1'), false);
      assert.deepEqual(await store.listStreamKeys(room.id), [key('k2', 2)]);
      assert.equal(await store.addStreamKey('no-such-room', key('k4', 4), 2), undefined);
      await store.deleteRoom(room.id);
      assert.deepEqual(await store.listStreamKeys(room.id), []);
    });

    test('chat keeps the newest messages, oldest first', SERVER, async () => {
      const room = newRoom();
      await store.createRoom(room);
      for (let n = 0; n < 7; n++) await store.appendChat(room.id, message(n), 5);
      assert.deepEqual(await store.recentChat(room.id), [2, 3, 4, 5, 6].map(message));
    });

    test('deleting a room forgets everything about it', SERVER, async () => {
      const room = newRoom();
      await store.createRoom(room);
      await store.addParticipant(room.id, person('a'));
      await store.appendChat(room.id, message(1), 5);
      await store.revokeCredential(room.id, 'cred-1');
      await store.deleteRoom(room.id);
      assert.equal(await store.getRoom(room.id), undefined);
      assert.deepEqual(await store.listParticipants(room.id), []);
      assert.deepEqual(await store.recentChat(room.id), []);
      assert.equal(await store.isCredentialRevoked(room.id, 'cred-1'), false);
    });

    test('the rooms listed are the live ones, oldest first, with their people counted by state', SERVER, async () => {
      const older = { ...newRoom(), createdAt: 1_000 };
      const newer = { ...newRoom(), createdAt: 2_000, locked: true };
      const ended = newRoom();
      await store.createRoom(newer);
      await store.createRoom(older);
      await store.createRoom(ended);
      await store.addParticipant(newer.id, person('a'));
      await store.addParticipant(newer.id, person('b'));
      await store.addParticipant(newer.id, person('c', 'waiting'));
      await store.claimEgress(newer.id, 'recording', 'node-a');
      await store.deleteRoom(ended.id);
      const mine = (await store.listRooms()).filter(({ room }) => [older.id, newer.id, ended.id].includes(room.id));
      assert.deepEqual(mine, [
        { room: older, joined: 0, waiting: 0 },
        { room: { ...newer, recordingNode: 'node-a' }, joined: 2, waiting: 1 },
      ]);
      await store.addParticipant(ended.id, person('late')).catch(() => {});
      assert.equal((await store.listRooms()).some(({ room }) => room.id === ended.id), false, 'someone recorded in an ended room does not bring it back');
    });

    test('a dial-in PIN finds its room, belongs to one room, and goes with it', SERVER, async () => {
      const pin = String(100_000_000 + ((process.pid * 7919 + counter) % 899_999_999));
      const room = { ...newRoom(), dialInPin: pin };
      await store.createRoom(room);
      assert.equal((await store.getRoom(room.id))?.dialInPin, pin);
      assert.equal(await store.roomIdByPin(pin), room.id);
      const clash = { ...newRoom(), dialInPin: pin };
      await assert.rejects(store.createRoom(clash), DialInPinTaken);
      assert.equal(await store.getRoom(clash.id), undefined, 'a refused room is not half-made');
      await store.deleteRoom(room.id);
      assert.equal(await store.roomIdByPin(pin), undefined);
      await store.createRoom(clash);
      assert.equal(await store.roomIdByPin(pin), clash.id);
    });

    extra?.(() => store);
  });
}

contract('MemoryRoomStore', async () => new MemoryRoomStore());

let redis: TestRedis;
let client: RedisClient;
before(async () => {
  redis = await TestRedis.start();
  client = createClient({ url: redis.url });
  client.on('error', () => {});
  await client.connect();
}, HOOK);
after(async () => {
  client?.destroy();
  await redis?.stop();
}, HOOK);

contract('RedisRoomStore', async () => new RedisRoomStore(client), (store) => {
  test('every key of a room expires, its PIN with it', SERVER, async () => {
    const room = { ...newRoom(), dialInPin: String(200_000_000 + (process.pid % 99_999_999)) };
    await store().createRoom(room);
    await store().addParticipant(room.id, person('a'));
    await store().appendChat(room.id, message(1), 5);
    await store().revokeCredential(room.id, 'cred-1');
    await store().addStreamKey(room.id, { id: 'k', label: 'OBS', secretHash: 'ab'.repeat(32), createdAt: 1 }, 5);
    const keys = await client.keys(`parley:room:${room.id}*`);
    assert.equal(keys.length, 5);
    for (const key of keys) {
      const ttl = await client.ttl(key);
      assert.ok(ttl > 0 && ttl <= ROOM_TTL_SECONDS, `${key} expires (ttl ${ttl})`);
    }
    // Someone entering renews the PIN with the room: it never expires first.
    await client.expire(`parley:pin:${room.dialInPin}`, 60);
    await store().addParticipant(room.id, person('b'));
    assert.ok((await client.ttl(`parley:pin:${room.dialInPin}`)) > ROOM_TTL_SECONDS - 60, 'the PIN was renewed');
  });

  test('the rooms index is scored by each room\'s expiry, follows it, and is pruned when read', SERVER, async () => {
    const score = async (id: string) => (await client.zScore('parley:rooms', id)) ?? undefined;
    const expiresAtMs = async (id: string) => Date.now() + (await client.pTTL(`parley:room:${id}`));
    const room = newRoom();
    await store().createRoom(room);
    const near = (actual: number | undefined, expected: number, what: string) =>
      assert.ok(actual !== undefined && Math.abs(actual - expected) < 5_000, `${what}: score ${actual}, key expires at ${expected}`);
    near(await score(room.id), await expiresAtMs(room.id), 'created');
    for (const [what, renew] of [
      ['a settings change', () => store().updateRoom(room.id, { locked: true })],
      ['someone entering', () => store().addParticipant(room.id, person('a'))],
    ] as const) {
      await client.pExpire(`parley:room:${room.id}`, 60_000);
      await client.zAdd('parley:rooms', { score: Date.now() + 60_000, value: room.id });
      await renew();
      near(await score(room.id), await expiresAtMs(room.id), `after ${what}`);
      assert.ok((await score(room.id))! > Date.now() + (ROOM_TTL_SECONDS - 60) * 1000, `${what} renews the entry`);
    }

    // An entry whose time has passed, and one whose room key went behind the store's back, are dropped on the next read.
    const lapsed = newRoom();
    const vanished = newRoom();
    await store().createRoom(lapsed);
    await store().createRoom(vanished);
    await client.zAdd('parley:rooms', { score: Date.now() - 1_000, value: lapsed.id });
    await client.del(`parley:room:${vanished.id}`);
    const listed = (await store().listRooms()).map((listing) => listing.room.id);
    assert.ok(listed.includes(room.id));
    assert.ok(!listed.includes(lapsed.id) && !listed.includes(vanished.id), 'neither is listed');
    assert.equal(await score(lapsed.id), undefined, 'the lapsed entry was pruned');
    assert.equal(await score(vanished.id), undefined, 'the vanished room left the index');

    await store().deleteRoom(room.id);
    assert.equal(await score(room.id), undefined, 'an ended room leaves the index at once');
  });
});
