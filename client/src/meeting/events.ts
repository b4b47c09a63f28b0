/**
 * What meeting state is derived from: the server's notifications, plus the
 * few facts only this tab knows (its own peer id, its raised hand, what it
 * is sending, the calls, recordings and streams it asked for). Pure types;
 * imports nothing from the DOM.
 */
import type { MediaSource, RecordingInfo, ServerNotification } from '@protocol/messages';
import type { EgressKind } from './state.js';

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
  | { type: 'local'; method: 'dialOutRefused'; data: { target: string; message: string } }
  /** This host asked to start or stop the recording or the live stream... */
  | { type: 'local'; method: 'egressAsked'; data: { what: EgressKind } }
  /** ...and the server did it (the room's state follows in roomUpdated)... */
  | { type: 'local'; method: 'egressAnswered'; data: { what: EgressKind } }
  /** ...or refused: `message` says why, in words for the person. */
  | { type: 'local'; method: 'egressRefused'; data: { what: EgressKind; message: string } }
  /** The meeting's finished recordings, as the server listed them for this host. */
  | { type: 'local'; method: 'recordingsListed'; data: { recordings: RecordingInfo[] } };

export type MeetingEvent = ServerNotification | LocalEvent;
