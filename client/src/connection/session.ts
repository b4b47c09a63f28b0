/**
 * One session on the server and what belongs to it in this tab: the
 * signalling connection (a resume swaps in a new one), the media session,
 * the meeting store and the typed actions the views use.
 */
import type { Device } from 'mediasoup-client';
import type { MediaSource, NotificationData } from '@protocol/messages';
import { reach } from '../first-media.js';
import { MediaSession, type MediaEvents } from '../media/media-session.js';
import { meetingActions, type MeetingActions, type Request } from '../meeting/actions.js';
import { MeetingStore } from '../meeting/store.js';
import type { SignallingClient } from '../signalling-client.js';

/** What the views of one session get: its state, its actions and its media controls. */
export type Meeting = Pick<Session, 'store' | 'actions' | 'media'>;

export class Session {
  readonly store: MeetingStore;
  /** Replaced by a fresh one when the server loses this session's media (resetMedia). */
  media: MediaSession;
  readonly actions: MeetingActions;
  readonly request: Request = (method, data) => this.client.request(method, data);
  /** Named by the join answer; what `resume` takes back. */
  peerId: string | undefined;
  /** This tab asked to end the meeting for everyone: the end that follows is its own doing. */
  endingHere = false;
  /** Settles with the welcome (`joined`), at once or once a host admits. */
  readonly admitted: Promise<NotificationData<'joined'>>;
  private settleAdmission!: { resolve(welcome: NotificationData<'joined'>): void; reject(error: Error): void };

  constructor(
    public client: SignallingClient,
    device: Device,
    displayName: string,
    mediaEvents: (session: Session) => MediaEvents,
  ) {
    this.store = new MeetingStore(displayName);
    this.media = new MediaSession(this.request, mediaEvents(this), device);
    const actions = meetingActions(this.request, this.store);
    this.actions = {
      ...actions,
      endMeeting: async () => {
        this.endingHere = true;
        try {
          await actions.endMeeting();
        } catch (error) {
          this.endingHere = false;
          throw error;
        }
      },
    };
    this.admitted = new Promise((resolve, reject) => (this.settleAdmission = { resolve, reject }));
    this.admitted.catch(() => {});
  }

  admit(welcome: NotificationData<'joined'>): void {
    reach('joined');
    this.settleAdmission.resolve(welcome);
  }

  /**
   * The server lost this session's media (its worker died) but kept the
   * session: new transports, and `tracks` sent again (sources in `off`
   * paused; nothing at all for an attendee). The others' media comes back
   * as new consumers.
   */
  async resetMedia(tracks: Promise<MediaStreamTrack[]>, off: ReadonlySet<MediaSource>): Promise<void> {
    const lost = this.media;
    const next = lost.successor();
    this.media = next;
    try {
      await next.start({ ice: lost.iceSettings, tracks, off, receiveOnly: this.store.state.self.role === 'attendee' });
    } catch (error) {
      // A later reset replaced this one: its failure no longer matters.
      if (this.media === next) throw error;
    }
  }

  /** Ends this session here; `leave` tells the server first (it cannot when the connection is gone). */
  close(leave: boolean): void {
    this.settleAdmission.reject(new Error('the session was closed'));
    this.media.close();
    if (!leave) return this.client.close();
    this.client
      .request('leave', {})
      .catch(() => {})
      .finally(() => this.client.close());
  }
}
