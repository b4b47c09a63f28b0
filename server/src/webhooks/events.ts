/**
 * The webhook event catalogue: every event Parley reports to operators, as
 * one discriminated union, and the body each delivery carries.
 * docs/webhooks.md describes each event with an example.
 */

/** A webinar's attendees are reported too (role `attendee`). */
export type ParticipantRole = 'host' | 'participant' | 'attendee';

/** Someone in a meeting: a browser, or a telephone (`phone: true`). */
interface ParticipantData {
  roomId: string;
  peerId: string;
  displayName: string;
  role: ParticipantRole;
  phone?: true;
}

export type RecordingLayout = 'composite' | 'composite+tracks';

export type WebhookEvent =
  | { type: 'room.started'; data: { roomId: string } }
  | { type: 'room.ended'; data: { roomId: string; reason: 'ended by a host' | 'empty' } }
  | { type: 'participant.joined'; data: ParticipantData }
  | { type: 'participant.left'; data: ParticipantData & { reason?: string } }
  | { type: 'recording.started'; data: { roomId: string; recordingId: string; layout: RecordingLayout } }
  | {
      type: 'recording.finished';
      /** `url` is a signed download link that stops working at `expiresAt` (ISO 8601). */
      data: { roomId: string; recordingId: string; url: string; durationSeconds: number; sizeBytes: number; expiresAt: string };
    }
  | { type: 'recording.failed'; data: { roomId: string; recordingId: string; reason: string } }
  /** `target` is the RTMP URL without its secrets: see redactStreamTarget. */
  | { type: 'stream.started'; data: { roomId: string; streamId: string; target: string } }
  | { type: 'stream.stopped'; data: { roomId: string; streamId: string; reason: string } };

export type WebhookEventType = WebhookEvent['type'];

/** What one delivery's JSON body holds: the event, and what identifies and orders it. */
export interface WebhookDelivery<Event extends WebhookEvent = WebhookEvent> {
  /** A UUID: the same on every retry, so a receiver can drop duplicates. */
  id: string;
  type: Event['type'];
  /** When the event happened (ISO 8601). */
  createdAt: string;
  /** The node that reported it. */
  node: string;
  /** Increases with each event the node reports (per node, across restarts). */
  sequence: number;
  data: Event['data'];
}

/**
 * An RTMP URL with its secrets taken out: the stream key and any path or
 * credentials become `/…`, leaving scheme, host and port, e.g.
 * `rtmps://live.example.com:443/…`. Anything unparsable becomes `…`.
 */
export function redactStreamTarget(target: string): string {
  try {
    const url = new URL(target);
    if (!url.host) return '…';
    return `${url.protocol}//${url.host}/…`;
  } catch {
    return '…';
  }
}
