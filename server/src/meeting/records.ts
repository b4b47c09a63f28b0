/**
 * The one place that writes the room store: rooms, participants,
 * revocations and chat.
 *
 * The write order, everywhere: **the store first, then the live meeting**.
 * - If the store write fails, the live meeting is left as it was and the
 *   request fails (`unavailable` while Redis is down): nothing happened.
 * - If the live change is refused after the store write (the room is full),
 *   the store write is undone.
 * - Departures are the one exception: a peer whose connection is gone leaves
 *   the live meeting even when the store cannot be written; its record is
 *   dropped best-effort and expires with the room otherwise.
 */
import type { ChatMessage, Role } from '../protocol/messages.js';
import type { EgressKind, ParticipantRecord, RoomRecord, RoomSettings, RoomStore, StreamKeyRecord } from '../store/room-store.js';
import { CHAT_HISTORY_SIZE } from '../protocol/limits.js';

export class MeetingRecords {
  constructor(
    private readonly store: RoomStore,
    readonly roomId: string,
    readonly nodeId: string,
  ) {}

  /** Creates a meeting (HTTP API). */
  static create(store: RoomStore, record: RoomRecord): Promise<void> {
    return store.createRoom(record);
  }

  room(): Promise<RoomRecord | undefined> {
    return this.store.getRoom(this.roomId);
  }

  isRevoked(credentialId: string): Promise<boolean> {
    return this.store.isCredentialRevoked(this.roomId, credentialId);
  }

  async recentChat(): Promise<ChatMessage[]> {
    return (await this.store.recentChat(this.roomId)).slice(-CHAT_HISTORY_SIZE);
  }

  /** Records a participant in the lobby or in the meeting, or a change of role. */
  participant(peerId: string, displayName: string, role: Role, state: ParticipantRecord['state']): Promise<void> {
    return this.store.addParticipant(this.roomId, { peerId, displayName, role, state, nodeId: this.nodeId, joinedAt: Date.now() });
  }

  forget(peerId: string): Promise<void> {
    return this.store.removeParticipant(this.roomId, peerId);
  }

  /** A departure: never refused, so a store failure is only logged by the caller. */
  forgetBestEffort(peerId: string, onError: (error: unknown) => void): Promise<void> {
    return this.forget(peerId).catch(onError);
  }

  revoke(credentialId: string): Promise<void> {
    return this.store.revokeCredential(this.roomId, credentialId);
  }

  /** See RoomStore.addStreamKey. */
  addStreamKey(key: StreamKeyRecord, max: number): Promise<boolean | undefined> {
    return this.store.addStreamKey(this.roomId, key, max);
  }

  removeStreamKey(keyId: string): Promise<boolean> {
    return this.store.removeStreamKey(this.roomId, keyId);
  }

  /** The room's settings after the change; undefined if the meeting is gone. */
  settings(settings: Partial<RoomSettings>): Promise<RoomRecord | undefined> {
    return this.store.updateRoom(this.roomId, settings);
  }

  /** Marks a recording or stream as this node's: false if another node runs one (see RoomStore.claimEgress). */
  claimEgress(kind: EgressKind): Promise<boolean | undefined> {
    return this.store.claimEgress(this.roomId, kind, this.nodeId);
  }

  /** The recording or stream of `nodeId` (this node's by default) is over. */
  releaseEgress(kind: EgressKind, nodeId = this.nodeId): Promise<RoomRecord | undefined> {
    return this.store.releaseEgress(this.roomId, kind, nodeId);
  }

  chat(message: ChatMessage): Promise<void> {
    return this.store.appendChat(this.roomId, message, CHAT_HISTORY_SIZE);
  }

  /** Ends the meeting: its link stops working. */
  end(): Promise<void> {
    return this.store.deleteRoom(this.roomId);
  }

  /** After Redis lost its data: puts back the room as this node last knew it. */
  async restore(record: RoomRecord): Promise<void> {
    if (!(await this.store.getRoom(this.roomId))) await this.store.createRoom(record).catch(() => {});
  }
}
