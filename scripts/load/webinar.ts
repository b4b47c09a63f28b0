/**
 * A webinar for the load generator: a room made for it, panelists who
 * publish (and see each other), and attendees who only receive. The first
 * panelist joins with the host credential, the others as guests: one
 * credential is one person, so a second panelist on it would replace the
 * first. With `webinar: true` the room is asked for as a webinar; a server
 * without webinar mode drops the field it does not know (Fastify removes
 * properties a body schema does not list) and makes a normal room, where
 * receive-only bots stand in for attendees. In a real webinar a guest
 * enters as an attendee and may not publish, so panelists after the first
 * need the host to make them panelists first: until the bots do that, pass
 * `webinar: false`.
 */
import { Bot, type ReceiveMode } from './bot.js';
import type { RecordedMedia } from './recorded-media.js';

export interface WebinarRoom {
  id: string;
  /** The host credential from the room's host link; a bare SFU gives none. */
  hostCredential: string | undefined;
}

export async function createWebinarRoom(baseUrl: string, { webinar }: { webinar: boolean }): Promise<WebinarRoom> {
  const response = await fetch(`${baseUrl}/api/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ lobby: false, ...(webinar ? { webinar: true } : {}) }),
    signal: AbortSignal.timeout(10_000),
  });
  if (response.status !== 201) throw new Error(`POST /api/rooms answered ${response.status}: ${await response.text()}`);
  const room = (await response.json()) as { id: string; hostUrl?: string };
  return { id: room.id, hostCredential: room.hostUrl?.split('#host=')[1] };
}

/**
 * A panelist: publishes audio and video (`media`, or synthetic packets) and
 * receives the other panelists; with `host`, joins with the host credential.
 */
export function joinPanelist(baseUrl: string, room: WebinarRoom, name: string, { host, media }: { host: boolean; media?: RecordedMedia }): Promise<Bot> {
  const credential = host && room.hostCredential ? { credential: room.hostCredential } : {};
  return Bot.join({ baseUrl, roomId: room.id, name, publish: true, subscribe: true, ...credential, ...(media ? { media } : {}) });
}

/** An attendee: joins without a credential and only receives. */
export function joinAttendee(baseUrl: string, room: WebinarRoom, name: string, receive: ReceiveMode): Promise<Bot> {
  return Bot.join({ baseUrl, roomId: room.id, name, publish: false, subscribe: true, receive });
}
