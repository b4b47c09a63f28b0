/**
 * The call controls, in one row: microphone, camera, screen share, hand,
 * the people and chat panels, "More" (invite link, for hosts lock, lobby
 * and end, then reactions, devices, mute everyone and shortcut help) and
 * Leave. Each control is an icon with a short visible label and a full
 * accessible name (the label is its first words); on narrow screens only
 * the icons show and "More" is a pop-up of everything, while on wide screens
 * the invite and host items sit in the row and the pop-up keeps the rest. Labels and pressed
 * states follow the meeting state; media controls wait until the session's
 * media is set up, and a control is disabled while its action runs.
 * In a webinar a Q&A control opens the questions; an attendee has no
 * microphone, camera, screen or chat control, only the hand and Q&A.
 */
import { h } from '../dom.js';
import type { MediaSession } from '../media/media-session.js';
import type { MeetingActions } from '../meeting/actions.js';
import type { MeetingState } from '../meeting/state.js';
import { t } from '../strings/index.js';
import type { Report } from './action-button.js';
import { ask } from './dialogs.js';
import { icon, setIcon, type IconName } from './icons.js';

export type PanelName = 'people' | 'chat' | 'questions';

export interface ControlsContext {
  roomId: string;
  /** This person's camera and microphone (undefined while starting, or without any). */
  stream(): MediaStream | undefined;
  actions: Pick<MeetingActions, 'setHandRaised' | 'setRoomLocked' | 'setLobbyEnabled' | 'endMeeting'>;
  media: Pick<MediaSession, 'isSending' | 'setSending' | 'startScreenShare' | 'stopScreenShare'>;
  leave(): void;
  togglePanel(panel: PanelName): void;
  report: Report;
}

/** A control: an icon, a short visible label, and a full accessible name (also its tooltip). */
/** From this width the first "More" items sit in the row (styles.css uses the same width). */
const WIDE = window.matchMedia('(min-width: 1200px)');

function control(iconName: IconName, name: string, label: string, className = ''): HTMLButtonElement {
  const button = h('button', { type: 'button', class: `control ${className}` }, icon(iconName), h('span', { class: 'label' }));
  setControl(button, iconName, name, label);
  return button;
}

function setControl(button: HTMLButtonElement, iconName: IconName, name: string, label: string): void {
  setIcon(button, iconName);
  if (button.getAttribute('aria-label') !== name) {
    button.setAttribute('aria-label', name);
    button.title = name;
  }
  const text = button.querySelector<HTMLElement>('.label')!;
  if (text.textContent !== label) text.textContent = label;
}

export class Controls {
  private readonly mic = control('mic', t.controls.muteMicrophone, t.controls.mute);
  private readonly camera = control('camera', t.controls.turnCameraOff, t.controls.cameraOff);
  private readonly share = control('share', t.controls.shareScreen, t.controls.share);
  private readonly hand = control('hand', t.controls.raiseHand, t.controls.raiseHand);
  private readonly people = control('people', t.controls.people, t.controls.people);
  private readonly peopleCount = h('span', { class: 'count-badge' });
  private readonly peopleWaiting = h('span', { class: 'visually-hidden' });
  private readonly chat = control('chat', t.controls.chat, t.controls.chat);
  private readonly unread = h('span', { class: 'count-badge alert', hidden: true });
  private readonly unreadText = h('span', { class: 'visually-hidden' });
  private readonly questions = control('questions', t.controls.questionsName, t.controls.questions);
  private readonly more = control('more', t.controls.moreOptions, t.controls.more);
  private readonly invite = control('link', t.controls.copyInvite, t.controls.copyInvite);
  private readonly lock = control('lock', t.controls.lock, t.controls.lock, 'host-only');
  private readonly lobby = control('lobbyOff', t.controls.lobbyOff, t.controls.lobbyOff, 'host-only');
  private readonly end = control('end', t.controls.endForAll, t.controls.endForAll, 'danger host-only');
  private readonly leave = control('leave', t.controls.leave, t.controls.leave, 'danger');
  /** Further tools (reactions, devices, mute everyone, shortcut help): in the pop-up at every width. */
  private readonly extras = h('div', { class: 'more-extras' });
  private readonly moreItems = h('div', { class: 'more-items', id: 'call-more' }, this.invite, this.lock, this.lobby, this.end, this.extras);
  readonly root = h(
    'nav',
    { class: 'controls', 'aria-label': t.controls.bar },
    h('div', { class: 'control-group' }, this.mic, this.camera, this.share, this.hand),
    h('div', { class: 'control-group' }, this.people, this.chat, this.questions),
    h('div', { class: 'control-group more-group' }, this.more, this.moreItems),
    this.leave,
  );
  /** Controls whose action is running. */
  private readonly busy = new Set<HTMLButtonElement>();
  private mediaReady = false;
  private state: MeetingState | undefined;

  constructor(private readonly context: ControlsContext) {
    const { actions, media } = context;
    // These two are named by their content, so the visible count is part of the name.
    this.people.removeAttribute('aria-label');
    this.chat.removeAttribute('aria-label');
    this.people.append(' ', this.peopleCount, this.peopleWaiting);
    this.chat.append(' ', this.unread, this.unreadText);
    this.people.setAttribute('aria-controls', 'people-panel');
    this.chat.setAttribute('aria-controls', 'chat-panel');
    this.questions.setAttribute('aria-controls', 'questions-panel');
    this.questions.hidden = true;
    this.more.setAttribute('aria-controls', 'call-more');
    this.more.setAttribute('aria-expanded', 'false');
    // Keyboard shortcuts (views/shortcuts.ts) press these.
    for (const [button, shortcut] of [[this.mic, 'mic'], [this.camera, 'camera'], [this.share, 'share'], [this.hand, 'hand']] as const) {
      button.dataset['shortcut'] = shortcut;
    }
    for (const button of [this.mic, this.camera, this.hand]) button.setAttribute('aria-pressed', 'false');
    for (const button of [this.mic, this.camera, this.share, this.hand]) button.disabled = true;
    this.onClick(this.mic, () => media.setSending('mic', !media.isSending('mic')));
    this.onClick(this.camera, () => media.setSending('camera', !media.isSending('camera')));
    this.onClick(this.share, () => (media.isSending('screen') ? media.stopScreenShare() : media.startScreenShare()));
    this.onClick(this.hand, () => actions.setHandRaised(!this.state?.self.handRaised));
    this.onClick(this.invite, async () => {
      await navigator.clipboard.writeText(`${location.origin}/r/${context.roomId}`);
      context.report(t.controls.inviteCopied);
    });
    this.onClick(this.lock, () => actions.setRoomLocked(!this.state?.room.locked));
    this.onClick(this.lobby, () => actions.setLobbyEnabled(!this.state?.room.lobby));
    this.onClick(this.end, async () => {
      const choice = await ask({
        title: t.call.endTitle,
        text: t.call.endText,
        choices: [{ value: 'end', label: t.call.endForEveryone, tone: 'danger' }],
      });
      if (choice === 'end') await actions.endMeeting();
    });
    this.leave.addEventListener('click', () => context.leave());
    this.people.addEventListener('click', () => context.togglePanel('people'));
    this.chat.addEventListener('click', () => context.togglePanel('chat'));
    this.questions.addEventListener('click', () => context.togglePanel('questions'));
    // "More" is a disclosure: on narrow screens its items pop up above the row.
    this.more.addEventListener('click', () => this.setMoreOpen(!this.moreOpen));
    this.moreItems.addEventListener('click', (event) => {
      if ((event.target as Element).closest('button')) this.setMoreOpen(false);
    });
    this.root.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && this.moreOpen) {
        this.setMoreOpen(false);
        this.more.focus();
      }
    });
    document.addEventListener('pointerdown', (event) => {
      if (this.moreOpen && !(event.target as Element).closest('.more-group')) this.setMoreOpen(false);
    });
  }

  /** Further controls (device choice, mute everyone, shortcut help), with the other "More" items. */
  addMore(nodes: Node[]): void {
    this.extras.append(...nodes);
  }

  private get moreOpen(): boolean {
    return this.more.getAttribute('aria-expanded') === 'true';
  }

  private setMoreOpen(open: boolean): void {
    this.more.setAttribute('aria-expanded', String(open));
    this.moreItems.classList.toggle('open', open);
    // On wide screens the host's items sit in the row and the pop-up holds only the extras.
    const popup = WIDE.matches ? this.extras : this.moreItems;
    if (open) popup.querySelector<HTMLButtonElement>('button:not([hidden])')?.focus();
  }

  /** Which panels are open, the number of people here and waiting, and unread messages. */
  setPanels(open: Record<PanelName, boolean>, counts: { people: number; waiting: number; unread: number }): void {
    this.people.setAttribute('aria-expanded', String(open.people));
    this.chat.setAttribute('aria-expanded', String(open.chat));
    this.questions.setAttribute('aria-expanded', String(open.questions));
    const badge = String(counts.people);
    if (this.peopleCount.textContent !== badge) this.peopleCount.textContent = badge;
    const waiting = counts.waiting ? t.controls.waiting(counts.waiting) : '';
    if (this.peopleWaiting.textContent !== waiting) this.peopleWaiting.textContent = waiting;
    this.people.classList.toggle('waiting', counts.waiting > 0);
    this.people.title = t.controls.peopleTitle(counts.people, waiting);
    this.unread.hidden = counts.unread === 0;
    const unread = counts.unread > 99 ? '99+' : String(counts.unread);
    if (this.unread.textContent !== unread) this.unread.textContent = unread;
    this.unreadText.textContent = counts.unread ? ` ${t.controls.unread}` : '';
    this.chat.title = counts.unread ? t.controls.chatTitle(unread) : t.controls.chat;
  }

  setMediaReady(ready: boolean): void {
    this.mediaReady = ready;
    this.refresh();
  }

  render(state: MeetingState): void {
    this.state = state;
    this.refresh();
  }

  private refresh(): void {
    const state = this.state;
    if (!state) return;
    const sending = (source: 'mic' | 'camera' | 'screen') => state.self.sending.includes(source);
    const mic = sending('mic');
    setControl(this.mic, mic ? 'mic' : 'micOff', mic ? t.controls.muteMicrophone : t.controls.unmuteMicrophone, mic ? t.controls.mute : t.controls.unmute);
    this.mic.setAttribute('aria-pressed', String(!mic));
    const camera = sending('camera');
    setControl(this.camera, camera ? 'camera' : 'cameraOff', camera ? t.controls.turnCameraOff : t.controls.turnCameraOn, camera ? t.controls.cameraOff : t.controls.cameraOn);
    this.camera.setAttribute('aria-pressed', String(!camera));
    const screen = sending('screen');
    setControl(this.share, screen ? 'stopShare' : 'share', screen ? t.controls.stopSharing : t.controls.shareScreen, screen ? t.controls.stopSharing : t.controls.share);
    this.share.classList.toggle('active', screen);
    const raised = state.self.handRaised;
    const hand = raised ? t.controls.lowerHand : t.controls.raiseHand;
    setControl(this.hand, 'hand', hand, hand);
    this.hand.setAttribute('aria-pressed', String(raised));
    this.hand.classList.toggle('raised', raised);
    for (const button of [this.lock, this.lobby, this.end]) button.hidden = state.self.role !== 'host';
    // An attendee sends nothing and asks instead of chatting.
    const attendee = state.self.role === 'attendee';
    for (const button of [this.mic, this.camera, this.share, this.chat]) button.hidden = attendee;
    this.questions.hidden = !state.room.webinar && state.questions.length === 0;
    const locked = state.room.locked;
    const lock = locked ? t.controls.unlock : t.controls.lock;
    setControl(this.lock, locked ? 'unlock' : 'lock', lock, lock);
    const lobby = state.room.lobby;
    const lobbyName = lobby ? t.controls.lobbyOff : t.controls.lobbyOn;
    setControl(this.lobby, lobby ? 'lobbyOff' : 'lobbyOn', lobbyName, lobbyName);
    const stream = this.context.stream();
    const ready = {
      mic: this.mediaReady && !attendee && Boolean(stream?.getAudioTracks().length),
      camera: this.mediaReady && !attendee && Boolean(stream?.getVideoTracks().length),
      media: this.mediaReady,
    };
    this.mic.disabled = !ready.mic || this.busy.has(this.mic);
    this.camera.disabled = !ready.camera || this.busy.has(this.camera);
    this.share.disabled = !ready.media || attendee || this.busy.has(this.share);
    this.hand.disabled = !ready.media || this.busy.has(this.hand);
    for (const button of [this.invite, this.lock, this.lobby, this.end]) button.disabled = this.busy.has(button);
  }

  private onClick(button: HTMLButtonElement, action: () => Promise<unknown>): void {
    button.addEventListener('click', async () => {
      this.busy.add(button);
      this.refresh();
      try {
        await action();
      } catch (error) {
        this.context.report((error as Error).message);
      } finally {
        this.busy.delete(button);
        this.refresh();
      }
    });
  }
}
