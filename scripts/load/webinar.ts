/**
 * A webinar for the load generator: a room made for it, panelists who
 * publish (and see each other), and attendees who only receive. The room is
 * made as a normal one so that both panelists can join and publish: the
 * first with the host credential, the other as a guest (one credential is
 * one person, so a second panelist on it would replace the first). The
 * host then turns webinar mode on, which keeps the panelists' roles and
 * makes everyone who joins after them without a credential an attendee.
 */
import { Bot, type ReceiveMode } from './bot.js';
import type { RecordedMedia } from './recorded-media.js';

export interface WebinarRoom {
  id: string;
  /** The room's link and the host credential from its host link; a bare SFU gives neither. */
  url: string | undefined;
  hostCredential: string | undefined;
}

/** A normal room without a lobby; `turnWebinarOn` makes it a webinar once the panel is in. */
export async function createWebinarRoom(baseUrl: string): Promise<WebinarRoom> {
  const response = await fetch(`${baseUrl}/api/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ lobby: false }),
    signal: AbortSignal.timeout(10_000),
  });
  if (response.status !== 201) throw new Error(`POST /api/rooms answered ${response.status}: ${await response.text()}`);
  const room = (await response.json()) as { id: string; url?: string; hostUrl?: string };
  return { id: room.id, url: room.url, hostCredential: room.hostUrl?.split('#host=')[1] };
}

export interface PanelistOptions {
  /** Joins with the host credential. */
  host: boolean;
  /** Real VP8 and Opus to publish; synthetic packets unless given. */
  media?: RecordedMedia;
  /** Every notification the panelist gets. */
  onNotification?: (method: string, data: any) => void;
}

/** A panelist: publishes audio and video and receives the other panelists. */
export function joinPanelist(baseUrl: string, room: WebinarRoom, name: string, { host, media, onNotification }: PanelistOptions): Promise<Bot> {
  const credential = host && room.hostCredential ? { credential: room.hostCredential } : {};
  return Bot.join({ baseUrl, roomId: room.id, name, publish: true, subscribe: true, ...credential, ...(media ? { media } : {}), ...(onNotification ? { onNotification } : {}) });
}

/** The host makes the room a webinar: from then on, newcomers without a credential enter as attendees. */
export async function turnWebinarOn(host: Bot): Promise<void> {
  await host.request('setWebinar', { enabled: true });
}

/** An attendee: joins without a credential and only receives; `onNotification` hears what the server tells it. */
export function joinAttendee(baseUrl: string, room: WebinarRoom, name: string, receive: ReceiveMode, onNotification?: (method: string, data: any) => void): Promise<Bot> {
  return Bot.join({ baseUrl, roomId: room.id, name, publish: false, subscribe: true, receive, ...(onNotification ? { onNotification } : {}) });
}
