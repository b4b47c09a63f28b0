/**
 * Room state in Redis, shared by every node of a deployment.
 *
 * Keys (PREFIX = "parley:"):
 *   room:{id}               hash  createdAt, lobby, locked, webinar, passwordHash, dialInPin,
 *                                 recordingNode, streamingNode (while one runs)
 *   room:{id}:participants  hash  peerId -> JSON participant
 *   room:{id}:revoked       set   revoked credential ids
 *   room:{id}:chat          list  JSON messages, newest last, trimmed
 *   pin:{pin}               string  the id of the room with this dial-in PIN
 *   rooms                   zset  room ids, scored by when the room's key expires (ms)
 * Every key of a room expires ROOM_TTL_SECONDS after its last change, and
 * goes at once when the meeting ends. Changes that belong together run in
 * MULTI or a Lua script.
 *
 * Listing rooms reads the `rooms` index rather than SCANning the keyspace:
 * a SCAN walks every key of every room (four each, plus PINs, nodes and
 * whatever else shares the Redis) in many round trips, while the index is
 * one ZRANGE. The scripts that set a room's expiry (create, update, a
 * participant in) move its score with it, DELETE_ROOM removes it, and
 * entries whose time has passed are pruned when rooms are created or listed,
 * so the index never outgrows the rooms alive within the last TTL.
 */
import { createClient, ErrorReply } from 'redis';
import type { ChatMessage } from '../protocol/messages.js';
import {
  DialInPinTaken,
  EGRESS_FIELD,
  ROOM_TTL_SECONDS,
  type EgressKind,
  StoreUnavailableError,
  type ParticipantRecord,
  type RoomListing,
  type RoomRecord,
  type RoomSettings,
  type RoomStore,
  type StreamKeyRecord,
} from './room-store.js';

export type RedisClient = ReturnType<typeof createClient>;

const PREFIX = 'parley:';
const ROOMS_KEY = `${PREFIX}rooms`;

const roomKey = (id: string) => `${PREFIX}room:${id}`;
const pinKey = (pin: string) => `${PREFIX}pin:${pin}`;
/**
 * A PIN's key lives as long as its room: set with it and renewed whenever
 * someone enters. One left behind by an expired room only answers "no such
 * meeting" (the room is checked) until it expires too.
 */
const PIN_TTL_SECONDS = ROOM_TTL_SECONDS;

/** Lua: milliseconds on Redis's clock, and when a room touched now expires (its score in the rooms index). */
const CLOCK = `
local function nowMs() local t = redis.call('TIME') return t[1] * 1000 + math.floor(t[2] / 1000) end
local function expiresAt() return nowMs() + ${ROOM_TTL_SECONDS * 1000} end`;

// A participant in: every key of the room lives on, the PIN's and the index entry among them.
const ADD_PARTICIPANT = `${CLOCK}
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
for i = 1, 5 do redis.call('EXPIRE', KEYS[i], ${ROOM_TTL_SECONDS}) end
local pin = redis.call('HGET', KEYS[1], 'dialInPin')
if pin then redis.call('EXPIRE', ARGV[3] .. pin, ${PIN_TTL_SECONDS}) end
redis.call('ZADD', KEYS[6], 'XX', expiresAt(), ARGV[4])
return 1`;
const keysOf = (id: string) => ({
  room: roomKey(id),
  participants: `${roomKey(id)}:participants`,
  revoked: `${roomKey(id)}:revoked`,
  chat: `${roomKey(id)}:chat`,
  streamKeys: `${roomKey(id)}:stream-keys`,
});

// Creates the room unless its id (0) or its PIN (-1) is taken, and lists it in the index (pruned of expired rooms).
const CREATE_ROOM = `${CLOCK}
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
if ARGV[5] ~= '' then
  if redis.call('SET', KEYS[2], ARGV[6], 'NX', 'EX', ${PIN_TTL_SECONDS}) == false then return -1 end
  redis.call('HSET', KEYS[1], 'dialInPin', ARGV[5])
end
redis.call('HSET', KEYS[1], 'createdAt', ARGV[1], 'lobby', ARGV[2], 'locked', ARGV[3], 'webinar', ARGV[7])
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'passwordHash', ARGV[4]) end
redis.call('EXPIRE', KEYS[1], ${ROOM_TTL_SECONDS})
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', nowMs())
redis.call('ZADD', KEYS[3], expiresAt(), ARGV[6])
return 1`;

// Forgets the room's four keys and its index entry, and its PIN if the PIN is still the room's.
const DELETE_ROOM = `
local pin = redis.call('HGET', KEYS[1], 'dialInPin')
if pin then
  local pinKey = ARGV[1] .. pin
  if redis.call('GET', pinKey) == ARGV[2] then redis.call('DEL', pinKey) end
end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5])
redis.call('ZREM', KEYS[6], ARGV[2])
return 1`;

// Updates settings (ARGV[2..] in pairs) only if the room (id ARGV[1]) exists, and returns the whole hash.
// Adds a stream key (1) unless the room is gone (-1) or has ARGV[3] keys already (0).
const ADD_STREAM_KEY = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('HLEN', KEYS[2]) >= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[2], ${ROOM_TTL_SECONDS})
return 1`;

const UPDATE_ROOM = `${CLOCK}
if redis.call('EXISTS', KEYS[1]) == 0 then return nil end
for i = 2, #ARGV - 1, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('EXPIRE', KEYS[1], ${ROOM_TTL_SECONDS})
redis.call('ZADD', KEYS[2], 'XX', expiresAt(), ARGV[1])
return redis.call('HGETALL', KEYS[1])`;

// Prunes the index of rooms whose time has passed and returns the rest.
const LIVE_ROOM_IDS = `${CLOCK}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', nowMs())
return redis.call('ZRANGE', KEYS[1], 0, -1)`;

// Marks an egress as running on a node unless one runs it: 1 claimed, 0 taken, -1 no room.
const CLAIM_EGRESS = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
return redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])`;

// Clears the mark if the node holds it, and returns the whole hash.
const RELEASE_EGRESS = `
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then redis.call('HDEL', KEYS[1], ARGV[1]) end
return redis.call('HGETALL', KEYS[1])`;

function toRecord(id: string, hash: Record<string, string>): RoomRecord | undefined {
  if (!hash['createdAt']) return undefined;
  const record: RoomRecord = {
    id,
    createdAt: Number(hash['createdAt']),
    lobby: hash['lobby'] === '1',
    locked: hash['locked'] === '1',
    webinar: hash['webinar'] === '1',
  };
  if (hash['passwordHash']) record.passwordHash = hash['passwordHash'];
  if (hash['dialInPin']) record.dialInPin = hash['dialInPin'];
  if (hash['recordingNode']) record.recordingNode = hash['recordingNode'];
  if (hash['streamingNode']) record.streamingNode = hash['streamingNode'];
  return record;
}

/** A hash as HGETALL's flat list of fields and values. */
function pairs(flat: string[]): Record<string, string> {
  const hash: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) hash[flat[i]!] = flat[i + 1]!;
  return hash;
}

export class RedisRoomStore implements RoomStore {
  constructor(private readonly client: RedisClient) {}

  /** Runs one operation; failing to reach Redis (as opposed to Redis refusing a command) means the store is unavailable. */
  private async reach<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw error instanceof ErrorReply ? error : new StoreUnavailableError(error);
    }
  }

  async createRoom(room: RoomRecord): Promise<void> {
    const created = await this.reach(() =>
      this.client.eval(CREATE_ROOM, {
        keys: [roomKey(room.id), pinKey(room.dialInPin ?? ''), ROOMS_KEY],
        arguments: [String(room.createdAt), room.lobby ? '1' : '0', room.locked ? '1' : '0', room.passwordHash ?? '', room.dialInPin ?? '', room.id, room.webinar ? '1' : '0'],
      }),
    );
    if (created === -1) throw new DialInPinTaken();
    if (created !== 1) throw new Error(`room ${room.id} already exists`);
  }

  async roomIdByPin(pin: string): Promise<string | undefined> {
    return this.reach(async () => (await this.client.get(pinKey(pin))) ?? undefined);
  }

  async getRoom(roomId: string): Promise<RoomRecord | undefined> {
    return this.reach(async () => toRecord(roomId, await this.client.hGetAll(roomKey(roomId))));
  }

  async listRooms(): Promise<RoomListing[]> {
    return this.reach(async () => {
      const ids = (await this.client.eval(LIVE_ROOM_IDS, { keys: [ROOMS_KEY] })) as string[];
      // Issued together, so the client sends them in one pipeline.
      const read = await Promise.all(ids.map((id) => Promise.all([this.client.hGetAll(roomKey(id)), this.client.hVals(keysOf(id).participants)])));
      const listings: RoomListing[] = [];
      const gone: string[] = [];
      for (const [index, [hash, participants]] of read.entries()) {
        const room = toRecord(ids[index]!, hash);
        if (!room) {
          gone.push(ids[index]!);
          continue;
        }
        const states = participants.map((entry) => (JSON.parse(entry) as ParticipantRecord).state);
        listings.push({ room, joined: states.filter((state) => state === 'joined').length, waiting: states.filter((state) => state === 'waiting').length });
      }
      // A room whose key went another way (evicted, deleted by hand) leaves the index too.
      if (gone.length) await this.client.zRem(ROOMS_KEY, gone);
      return listings.sort((a, b) => a.room.createdAt - b.room.createdAt);
    });
  }

  async updateRoom(roomId: string, settings: Partial<RoomSettings>): Promise<RoomRecord | undefined> {
    return this.reach(async () => {
      const fields = Object.entries(settings).flatMap(([name, value]) => [name, value ? '1' : '0']);
      const flat = (await this.client.eval(UPDATE_ROOM, { keys: [roomKey(roomId), ROOMS_KEY], arguments: [roomId, ...fields] })) as string[] | null;
      return flat ? toRecord(roomId, pairs(flat)) : undefined;
    });
  }

  async claimEgress(roomId: string, kind: EgressKind, nodeId: string): Promise<boolean | undefined> {
    const claimed = await this.reach(() => this.client.eval(CLAIM_EGRESS, { keys: [roomKey(roomId)], arguments: [EGRESS_FIELD[kind], nodeId] }));
    return claimed === -1 ? undefined : claimed === 1;
  }

  async releaseEgress(roomId: string, kind: EgressKind, nodeId: string): Promise<RoomRecord | undefined> {
    const flat = (await this.reach(() =>
      this.client.eval(RELEASE_EGRESS, { keys: [roomKey(roomId)], arguments: [EGRESS_FIELD[kind], nodeId] }),
    )) as string[];
    return toRecord(roomId, pairs(flat));
  }

  async deleteRoom(roomId: string): Promise<void> {
    await this.reach(() => this.client.eval(DELETE_ROOM, { keys: [...Object.values(keysOf(roomId)), ROOMS_KEY], arguments: [`${PREFIX}pin:`, roomId] }));
  }

  async addParticipant(roomId: string, participant: ParticipantRecord): Promise<void> {
    return this.reach(async () => {
      const keys = keysOf(roomId);
      // Revocations and chat live as long as the room, however long ago they were made.
      await this.client.eval(ADD_PARTICIPANT, {
        keys: [keys.room, keys.participants, keys.revoked, keys.chat, keys.streamKeys, ROOMS_KEY],
        arguments: [participant.peerId, JSON.stringify(participant), `${PREFIX}pin:`, roomId],
      });
    });
  }

  async removeParticipant(roomId: string, peerId: string): Promise<void> {
    await this.reach(() => this.client.hDel(keysOf(roomId).participants, peerId));
  }

  async listParticipants(roomId: string): Promise<ParticipantRecord[]> {
    return this.reach(async () => {
      const entries = await this.client.hVals(keysOf(roomId).participants);
      return entries.map((entry) => JSON.parse(entry) as ParticipantRecord);
    });
  }

  async revokeCredential(roomId: string, credentialId: string): Promise<void> {
    return this.reach(async () => {
      const { revoked } = keysOf(roomId);
      await this.client.multi().sAdd(revoked, credentialId).expire(revoked, ROOM_TTL_SECONDS).exec();
    });
  }

  async isCredentialRevoked(roomId: string, credentialId: string): Promise<boolean> {
    return this.reach(async () => Boolean(await this.client.sIsMember(keysOf(roomId).revoked, credentialId)));
  }

  async addStreamKey(roomId: string, key: StreamKeyRecord, max: number): Promise<boolean | undefined> {
    const { room, streamKeys } = keysOf(roomId);
    const added = await this.reach(() => this.client.eval(ADD_STREAM_KEY, { keys: [room, streamKeys], arguments: [key.id, JSON.stringify(key), String(max)] }));
    return added === -1 ? undefined : added === 1;
  }

  async removeStreamKey(roomId: string, keyId: string): Promise<boolean> {
    return this.reach(async () => (await this.client.hDel(keysOf(roomId).streamKeys, keyId)) === 1);
  }

  async listStreamKeys(roomId: string): Promise<StreamKeyRecord[]> {
    return this.reach(async () => {
      const keys = (await this.client.hVals(keysOf(roomId).streamKeys)).map((entry) => JSON.parse(entry) as StreamKeyRecord);
      return keys.sort((a, b) => a.createdAt - b.createdAt);
    });
  }

  async appendChat(roomId: string, message: ChatMessage, keep: number): Promise<void> {
    return this.reach(async () => {
      const { chat } = keysOf(roomId);
      await this.client
        .multi()
        .rPush(chat, JSON.stringify(message))
        .lTrim(chat, -keep, -1)
        .expire(chat, ROOM_TTL_SECONDS)
        .exec();
    });
  }

  async recentChat(roomId: string): Promise<ChatMessage[]> {
    return this.reach(async () => (await this.client.lRange(keysOf(roomId).chat, 0, -1)).map((entry) => JSON.parse(entry) as ChatMessage));
  }

  /** The client belongs to the cluster connection, which closes it. */
  async close(): Promise<void> {}
}
