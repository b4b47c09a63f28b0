/**
 * What meeting state is derived from: the server's notifications, plus the
 * few facts only this tab knows (its own peer id, its raised hand, what it
 * is sending, the calls it asked for). Pure types; imports nothing from the DOM.
 */
import type { MediaSource, ServerNotification } from '@protocol/messages';

export type LocalEvent =
  /** The join answer named this tab's peer. */
  | { type: 'local'; method: 'identified'; data: { peerId: string } }
  /** The server accepted a raised or lowered hand. */
  | { type: 'local'; method: 'handRaised'; data: { raised: boolean } }
  /** The sources this tab is sending now (unmuted, live). */
  | { type: 'local'; method: 'sending'; data: { sources: MediaSource[] } }
  /** This host asked the server to call a phone... */
  | { type: 'local'; method: 'dialOutStarted'; data: { target: string } }
  /** ...and the server placed the call (the phone enters when it answers)... */
  | { type: 'local'; method: 'dialOutPlaced'; data: { target: string; peerId: string } }
  /** ...or refused it: `message` says why, in words for the person. */
  | { type: 'local'; method: 'dialOutRefused'; data: { target: string; message: string } };

export type MeetingEvent = ServerNotification | LocalEvent;
