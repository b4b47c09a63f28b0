/**
 * The meeting screen of one session: a status line, the videos, the people
 * and chat panels and the controls, each rendering the session's meeting
 * state as it changes.
 */
import { h } from '../dom.js';
import type { Meeting } from '../connection/session.js';
import type { RemoteTrack } from '../media/media-session.js';
import type { Notice } from '../meeting/state.js';
import { ChatPanel } from './chat-panel.js';
import { Controls } from './controls.js';
import { PeoplePanel } from './people-panel.js';
import { toast } from './toasts.js';
import { VideoGrid } from './video-grid.js';

/** Time to first media is measured once per page: from opening the link (time origin) to the first remote frame. */
let firstMediaReported = false;

export interface MeetingViewOptions {
  roomId: string;
  displayName: string;
  stream: MediaStream | undefined;
  leave(): void;
  /** More call controls (device choice, mute everyone, shortcut help), added after the others. */
  extras?: Node[];
}

export class MeetingView {
  readonly root: HTMLElement;
  private readonly status = h('p', { role: 'status', class: 'call-status' });
  private readonly videos: VideoGrid;
  private readonly controls: Controls;
  private readonly unsubscribe: () => void;
  private notice: Notice | undefined;

  constructor(
    private readonly meeting: Meeting,
    options: MeetingViewOptions,
  ) {
    // Messages about an action come and go (toasts); the status line is for the call's own state.
    const report = (message: string) => void toast(message);
    const { actions, media, store } = meeting;
    this.videos = new VideoGrid(options.displayName, options.stream);
    const people = new PeoplePanel(actions, report);
    const chat = new ChatPanel(actions);
    this.controls = new Controls({ roomId: options.roomId, stream: options.stream, actions, media, leave: options.leave, report });
    this.root = h(
      'div',
      { class: 'call' },
      this.status,
      h('main', { class: 'meeting' }, this.videos.stage, this.videos.grid),
      h('aside', { class: 'side' }, people.root, chat.root),
      this.controls.root,
    );
    this.controls.root.append(...(options.extras ?? []));
    this.unsubscribe = store.subscribe((state) => {
      this.videos.render(state);
      people.render(state);
      chat.render(state.chat);
      this.controls.render(state);
      if (state.notice !== this.notice) {
        this.notice = state.notice;
        if (state.notice) toast(state.notice.text);
      }
    });
  }

  report(message: string): void {
    this.status.textContent = message;
  }

  setMediaReady(ready: boolean): void {
    this.controls.setMediaReady(ready);
  }

  trackAdded(remote: RemoteTrack): void {
    const tile = this.videos.trackAdded(remote, (consumerId, visible, layer) =>
      void this.meeting.media.showConsumer(consumerId, visible, layer).catch((error: unknown) => this.report((error as Error).message)),
    );
    if (!tile || remote.track.kind !== 'video' || firstMediaReported) return;
    tile.video.requestVideoFrameCallback(() => {
      if (firstMediaReported) return;
      firstMediaReported = true;
      const milliseconds = Math.round(performance.now());
      void this.meeting.actions.reportTimeToFirstMedia(milliseconds).catch(() => (firstMediaReported = false));
    });
  }

  trackPaused(remote: RemoteTrack): void {
    this.videos.trackPaused(remote);
  }

  trackRemoved(remote: RemoteTrack): void {
    this.videos.trackRemoved(remote);
  }

  /** Stops following the session's state (it ended, or a rejoin replaced it). */
  close(): void {
    this.unsubscribe();
  }
}
