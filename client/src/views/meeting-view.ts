/**
 * The meeting screen of one session: a top bar (heading, the recording and
 * live badges, participant count, a webinar's attendee count, status line),
 * the videos, the people, chat and (in a webinar) questions panels and one
 * row of controls, each rendering the session's meeting state as it
 * changes. An attendee's questions panel takes the chat's place.
 *
 * The panels are side panels on wide screens (both open at first) and
 * sheets over the videos on narrow ones (one at a time, closed at first).
 * An open sheet makes the rest of the screen inert, takes focus, closes
 * with Escape or its close button, and gives focus back to the control
 * that opened it.
 */
import type { MediaSource, Reaction } from '@protocol/messages';
import { h } from '../dom.js';
import { reach, stagesReached } from '../first-media.js';
import type { Meeting } from '../connection/session.js';
import type { RemoteTrack } from '../media/media-session.js';
import type { Notice } from '../meeting/state.js';
import { t } from '../strings/index.js';
import { ChatPanel } from './chat-panel.js';
import { Controls, type PanelName } from './controls.js';
import { EgressBadges } from './egress-badges.js';
import { icon } from './icons.js';
import { LinkIndicator } from './link-indicator.js';
import { PeoplePanel } from './people-panel.js';
import { QuestionsPanel } from './questions-panel.js';
import { ReactionFeed, reactionButtons } from './reactions.js';
import { toast } from './toasts.js';
import { VideoGrid } from './video-grid.js';

/** A notice in words; a failed recording or stream is the host tools' to say (host-tools.ts). */
function noticeText(notice: Notice): string {
  switch (notice.kind) {
    case 'promoted':
      return t.notices.promoted;
    case 'became':
      return notice.role === 'panelist' ? t.notices.becamePanelist : t.notices.becameAttendee;
    case 'egress': {
      const { recording, streaming } = notice.started;
      const said = [
        recording === undefined ? '' : recording ? t.notices.recordingStarted : t.notices.recordingStopped,
        streaming === undefined ? '' : streaming ? t.notices.streamingStarted : t.notices.streamingStopped,
      ];
      return said.filter(Boolean).join(' ');
    }
    case 'stopped-by-host':
      if (notice.source === 'mic') return t.notices.micStopped;
      return notice.source === 'camera' ? t.notices.cameraStopped : t.notices.screenStopped;
    case 'egress-failed':
      return '';
  }
}

/** Time to first media is measured once per page: from opening the link (time origin) to the first remote frame. */
let firstMediaReported = false;

const PANELS: readonly PanelName[] = ['people', 'chat', 'questions'];

/** Below this width the panels are sheets over the videos (styles.css uses the same width). */
const NARROW = window.matchMedia('(max-width: 899px)');

export interface MeetingViewOptions {
  roomId: string;
  displayName: string;
  /** This person's camera and microphone (undefined while starting, or without any). */
  stream(): MediaStream | undefined;
  leave(): void;
  /** More call controls (device choice, mute everyone, shortcut help), added after the others. */
  extras?: Node[];
}

export class MeetingView {
  readonly root: HTMLElement;
  private readonly status = h('p', { role: 'status', class: 'call-status' });
  private readonly count = h('span', { class: 'participant-count' });
  private readonly audience = h('span', { class: 'participant-count audience-count', hidden: true });
  private readonly badges = new EgressBadges();
  private readonly reactions = new ReactionFeed();
  private readonly link: LinkIndicator;
  private readonly videos: VideoGrid;
  private readonly controls: Controls;
  private readonly people: PeoplePanel;
  private readonly chat: ChatPanel;
  private readonly questions: QuestionsPanel;
  private readonly side: HTMLElement;
  private readonly background: HTMLElement[];
  private readonly unsubscribe: () => void;
  private readonly open: Record<PanelName, boolean> = { people: !NARROW.matches, chat: !NARROW.matches, questions: false };
  /** The role the panels were last arranged for: an attendee's questions take the chat's place. */
  private arrangedFor: 'panel' | 'audience' = 'panel';
  private notice: Notice | undefined;
  private counts = { people: 1, waiting: 0, unread: 0 };
  private chatSeen = 0;

  constructor(
    private readonly meeting: Meeting,
    options: MeetingViewOptions,
  ) {
    // Messages about an action come and go (toasts); the status line is for the call's own state.
    const report = (message: string) => void toast(message);
    const { actions, store } = meeting;
    // The session's media is replaced when the server moves it (mediaReset): always reach the current one.
    const media = {
      isSending: (source: MediaSource) => meeting.media.isSending(source),
      setSending: (source: MediaSource, sending: boolean) => meeting.media.setSending(source, sending),
      startScreenShare: () => meeting.media.startScreenShare(),
      stopScreenShare: () => meeting.media.stopScreenShare(),
    };
    this.videos = new VideoGrid(options.displayName, options.stream());
    this.link = new LinkIndicator(() => meeting.media.linkStats());
    this.people = new PeoplePanel(actions, report);
    this.chat = new ChatPanel(actions);
    this.questions = new QuestionsPanel(actions, report);
    this.controls = new Controls({
      roomId: options.roomId,
      stream: options.stream,
      actions,
      media,
      leave: options.leave,
      togglePanel: (panel) => this.setPanel(panel, !this.open[panel]),
      report,
    });
    this.people.header.append(this.closeButton('people', t.meeting.closePeople));
    this.chat.header.append(this.closeButton('chat', t.meeting.closeChat));
    this.questions.header.append(this.closeButton('questions', t.meeting.closeQuestions));
    this.side = h('aside', { class: 'side', 'aria-label': t.meeting.side }, this.people.root, this.chat.root, this.questions.root);
    const top = h(
      'header',
      { class: 'topbar' },
      h('h1', { class: 'visually-hidden' }, t.meeting.heading),
      this.badges.root,
      this.count,
      this.audience,
      this.link.root,
      this.status,
    );
    // One main landmark on the page (index.html's): the meeting is a region of it.
    const stage = h('section', { class: 'meeting', 'aria-label': t.meeting.videos }, this.videos.root, this.reactions.root);
    this.background = [top, stage, this.controls.root];
    this.root = h('div', { class: 'call' }, top, stage, this.side, this.controls.root);
    this.side.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape' || !NARROW.matches) return;
      const panel = PANELS.find((name) => this.open[name]);
      if (panel) this.setPanel(panel, false);
    });
    NARROW.addEventListener('change', this.onBreakpoint);
    this.applyPanels();
    this.controls.addMore([reactionButtons(actions.sendReaction, report), ...(options.extras ?? [])]);
    this.unsubscribe = store.subscribe((state) => {
      this.videos.render(state);
      this.people.render(state);
      this.chat.render(state.chat);
      this.questions.render(state.questions, state.self.role === 'attendee');
      this.controls.render(state);
      const audience = state.room.webinar || state.audience > 0 ? t.meeting.attendees(state.audience) : '';
      if (this.audience.textContent !== audience) this.audience.textContent = audience;
      this.audience.hidden = !audience;
      this.arrange(state.self.role === 'attendee' ? 'audience' : 'panel');
      this.badges.render(state.room);
      const people = state.peers.size + 1;
      const waiting = state.self.role === 'host' ? state.lobby.length : 0;
      if (this.open.chat) this.chatSeen = state.chat.length;
      const unread = Math.max(0, state.chat.length - this.chatSeen);
      if (people !== this.counts.people || waiting !== this.counts.waiting || unread !== this.counts.unread) {
        this.counts = { people, waiting, unread };
        this.applyPanels();
      }
      if (state.notice !== this.notice) {
        this.notice = state.notice;
        if (state.notice) toast(noticeText(state.notice));
      }
    });
  }

  report(message: string): void {
    this.status.textContent = message;
  }

  /** The camera and microphone started after the meeting view was built. */
  setLocalStream(stream: MediaStream | undefined): void {
    this.videos.setLocalStream(stream);
  }

  setMediaReady(ready: boolean): void {
    this.controls.setMediaReady(ready);
  }

  /** Someone reacted (this person included): shown over the videos for a moment. */
  showReaction(peerId: string, reaction: Reaction): void {
    const { self, peers } = this.meeting.store.state;
    const name = peerId === self.id ? t.tiles.you(self.displayName) : (peers.get(peerId)?.displayName ?? t.tiles.someone);
    this.reactions.show(name, reaction);
  }

  trackAdded(remote: RemoteTrack): void {
    const tile = this.videos.trackAdded(remote, (consumerId, visible, layer) =>
      void this.meeting.media.showConsumer(consumerId, visible, layer).catch((error: unknown) => this.report((error as Error).message)),
    );
    if (!tile || remote.track.kind !== 'video' || firstMediaReported) return;
    tile.video.requestVideoFrameCallback(() => {
      if (firstMediaReported) return;
      firstMediaReported = true;
      reach('firstFrame');
      const milliseconds = Math.round(performance.now());
      void this.meeting.actions.reportTimeToFirstMedia(milliseconds, stagesReached()).catch(() => (firstMediaReported = false));
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
    this.link.stop();
    NARROW.removeEventListener('change', this.onBreakpoint);
  }

  /** Crossing the breakpoint starts that width's way: panels open beside wide videos, sheets closed on narrow ones. */
  private readonly onBreakpoint = () => {
    const audience = this.arrangedFor === 'audience';
    this.open.people = !NARROW.matches;
    this.open.chat = !NARROW.matches && !audience;
    this.open.questions = !NARROW.matches && audience;
    this.applyPanels();
  };

  /** Joining the audience puts the questions where the chat was; joining the panel gives the chat back. */
  private arrange(role: 'panel' | 'audience'): void {
    if (role === this.arrangedFor) return;
    this.arrangedFor = role;
    const wide = !NARROW.matches;
    if (role === 'audience') {
      this.open.questions = this.open.questions || (wide && this.open.chat);
      this.open.chat = false;
    }
    this.applyPanels();
  }

  private closeButton(panel: PanelName, name: string): HTMLButtonElement {
    const button = h('button', { type: 'button', class: 'icon-only close', 'aria-label': name, title: name }, icon('close'));
    button.addEventListener('click', () => this.setPanel(panel, false));
    return button;
  }

  private setPanel(panel: PanelName, open: boolean): void {
    // A sheet covers the videos: only one at a time.
    if (open && NARROW.matches) for (const other of PANELS) this.open[other] = false;
    this.open[panel] = open;
    if (panel === 'chat' && open) this.counts.unread = 0;
    this.applyPanels();
    if (open) {
      if (panel === 'chat') this.chat.focusInput();
      else if (panel === 'questions') this.questions.focusInput();
      else this.people.root.querySelector<HTMLElement>('.close')?.focus();
    } else {
      this.root.querySelector<HTMLElement>(`[aria-controls="${panel}-panel"]`)?.focus();
    }
  }

  private applyPanels(): void {
    if (this.open.chat) this.chatSeen = this.meeting.store.state.chat.length;
    this.people.root.hidden = !this.open.people;
    this.chat.root.hidden = !this.open.chat;
    this.questions.root.hidden = !this.open.questions;
    const anyOpen = PANELS.some((name) => this.open[name]);
    this.side.hidden = !anyOpen;
    this.root.classList.toggle('with-side', anyOpen);
    const sheet = anyOpen && NARROW.matches;
    this.root.classList.toggle('sheet-open', sheet);
    for (const element of this.background) element.inert = sheet;
    this.count.textContent = t.meeting.inMeeting(this.counts.people);
    this.controls.setPanels(this.open, this.counts);
  }
}
