/**
 * A room's stream keys: hosts (from the meeting or the HTTP API) create one
 * per publisher, named for the stage ("OBS — Studio A"), see them listed,
 * and revoke them. A WHIP publisher is let in by its key. The key itself is
 * shown once; the store keeps its hash (auth/stream-keys.ts).
 */
import { newStreamKey, parseStreamKey, secretMatches } from '../auth/stream-keys.js';
import { SignallingError } from '../protocol/errors.js';
import type { StreamKeyInfo } from '../protocol/messages.js';
import type { RoomStore, StreamKeyRecord } from '../store/room-store.js';
import { MeetingRecords } from './records.js';

/** Keys per room: enough for a studio's encoders, too few to matter to the store. */
export const MAX_STREAM_KEYS = 10;

/** How the peer ids of a key's WHIP sessions begin, so that the API can find them in the room store. */
export const streamPeerPrefix = (keyId: string) => `whip-${keyId}-`;

/** The credential id a publisher's session carries: a second session with the same key replaces the first. */
const STREAM_CREDENTIAL = 'stream:';
export const streamCredentialId = (keyId: string) => `${STREAM_CREDENTIAL}${keyId}`;

/** The key of a publisher's credential id. */
export const streamKeyOf = (credentialId: string) => credentialId.slice(STREAM_CREDENTIAL.length);

export class StreamKeys {
  constructor(
    private readonly store: RoomStore,
    private readonly nodeId: string,
  ) {}

  /** A new key for `label`; the key is in the answer only. */
  async create(roomId: string, label: string): Promise<{ streamKey: StreamKeyInfo; key: string }> {
    const { id, key, secretHash } = newStreamKey();
    const record: StreamKeyRecord = { id, label: label.trim(), secretHash, createdAt: Date.now() };
    const added = await new MeetingRecords(this.store, roomId, this.nodeId).addStreamKey(record, MAX_STREAM_KEYS);
    if (added === undefined) throw new SignallingError('room_not_found', 'no such meeting: it has ended or expired, or never existed');
    if (!added) throw new SignallingError('invalid_state', `this meeting has ${MAX_STREAM_KEYS} stream keys already; revoke one first`);
    return { streamKey: info(record), key };
  }

  async list(roomId: string): Promise<StreamKeyInfo[]> {
    return (await this.store.listStreamKeys(roomId)).map(info);
  }

  /** Forgets a key: it publishes no more (ending its live session is the caller's part). */
  async revoke(roomId: string, keyId: string): Promise<void> {
    if (!(await new MeetingRecords(this.store, roomId, this.nodeId).removeStreamKey(keyId))) {
      throw new SignallingError('not_found', 'this meeting has no such stream key');
    }
  }

  async has(roomId: string, keyId: string): Promise<boolean> {
    return (await this.store.listStreamKeys(roomId)).some((key) => key.id === keyId);
  }

  /** The key `presented` stands for, or undefined when it is not one of the room's. */
  async verify(roomId: string, presented: string): Promise<StreamKeyInfo | undefined> {
    const parsed = parseStreamKey(presented);
    if (!parsed) return undefined;
    const record = (await this.store.listStreamKeys(roomId)).find((key) => key.id === parsed.id);
    return record && secretMatches(parsed.secret, record.secretHash) ? info(record) : undefined;
  }
}

function info({ id, label, createdAt }: StreamKeyRecord): StreamKeyInfo {
  return { id, label, createdAt };
}
