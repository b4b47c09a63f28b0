import type { ParticipantRecord, RoomRecord, RoomStore } from './room-store.js';

/** Room state for a single node, kept in this process. */
export class MemoryRoomStore implements RoomStore {
  private readonly rooms = new Map<string, { room: RoomRecord; participants: Map<string, ParticipantRecord> }>();

  async createRoom(room: RoomRecord): Promise<void> {
    if (this.rooms.has(room.id)) throw new Error(`room ${room.id} already exists`);
    this.rooms.set(room.id, { room: { ...room }, participants: new Map() });
  }

  async getRoom(roomId: string): Promise<RoomRecord | undefined> {
    const entry = this.rooms.get(roomId);
    return entry && { ...entry.room };
  }

  async deleteRoom(roomId: string): Promise<void> {
    this.rooms.delete(roomId);
  }

  async addParticipant(roomId: string, participant: ParticipantRecord): Promise<void> {
    const entry = this.rooms.get(roomId);
    if (!entry) throw new Error(`room ${roomId} does not exist`);
    entry.participants.set(participant.peerId, { ...participant });
  }

  async removeParticipant(roomId: string, peerId: string): Promise<void> {
    this.rooms.get(roomId)?.participants.delete(peerId);
  }

  async listParticipants(roomId: string): Promise<ParticipantRecord[]> {
    return [...(this.rooms.get(roomId)?.participants.values() ?? [])].map((participant) => ({ ...participant }));
  }

  async close(): Promise<void> {
    this.rooms.clear();
  }
}
