/**
 * Shared room state. The in-memory store serves one node; a Redis store
 * drops in behind the same interface so several nodes can share rooms.
 */
export interface RoomRecord {
  id: string;
  createdAt: number;
}

export interface ParticipantRecord {
  peerId: string;
  displayName: string;
  joinedAt: number;
}

export interface RoomStore {
  createRoom(room: RoomRecord): Promise<void>;
  getRoom(roomId: string): Promise<RoomRecord | undefined>;
  deleteRoom(roomId: string): Promise<void>;
  addParticipant(roomId: string, participant: ParticipantRecord): Promise<void>;
  removeParticipant(roomId: string, peerId: string): Promise<void>;
  listParticipants(roomId: string): Promise<ParticipantRecord[]>;
  close(): Promise<void>;
}
