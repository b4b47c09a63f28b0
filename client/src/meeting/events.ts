/**
 * What meeting state is derived from: the server's notifications, plus the
 * few facts only this tab knows (its own peer id, its raised hand, what it
 * is sending). Pure types; imports nothing from the DOM.
 */
import type { MediaSource, ServerNotification } from '@protocol/messages';

export type LocalEvent =
  /** The join answer named this tab's peer. */
  | { type: 'local'; method: 'identified'; data: { peerId: string } }
  /** The server accepted a raised or lowered hand. */
  | { type: 'local'; method: 'handRaised'; data: { raised: boolean } }
  /** The sources this tab is sending now (unmuted, live). */
  | { type: 'local'; method: 'sending'; data: { sources: MediaSource[] } };

export type MeetingEvent = ServerNotification | LocalEvent;
