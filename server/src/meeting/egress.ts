/**
 * What the recording module (recording/) offers meetings: recording and
 * live streaming, run on the node that started them. Defined here so that
 * meetings can offer both without knowing how media leaves the server.
 */
import type { RecordingInfo } from '../protocol/messages.js';
import type { EgressKind } from '../store/room-store.js';

export type { EgressKind };

/** `M` is the Meeting (a parameter, so that this file and meeting.ts do not import each other). */
export interface Egress<M> {
  /**
   * Starts recording `meeting` on this node; with `tracks`, each person's
   * audio and video are also kept apart. Throws a SignallingError the host
   * may read when it cannot start. Once running, it ends by `stop` or on its
   * own, and then calls `meeting.egressEnded`.
   */
  startRecording(meeting: M, options: { tracks: boolean }): Promise<void>;
  /** Streams `meeting`'s composite to an RTMP(S) URL, reconnecting when it drops. */
  startStreaming(meeting: M, url: string): Promise<void>;
  /** Stops what runs for `roomId` here; the meeting hears of it through `egressEnded`. */
  stop(roomId: string, kind: EgressKind): Promise<void>;
  /** The room's finished recordings, newest first, with fresh signed links. */
  recordings(roomId: string): Promise<RecordingInfo[]>;
}
