/**
 * One person in the people panel: initials (a phone icon for someone on the
 * phone, a broadcast icon for a stream published over WHIP), name, role and
 * media state ("WHIP stream" for a stream), and for hosts one "Actions for
 * <name>" menu instead of a row of buttons. The row, its menu and its items
 * are made once and then updated in place; an action that does not apply
 * (muting a muted microphone, making a phone a host, anything but stopping
 * or removing a stream) is hidden, not removed,
 * so focus on the menu or an item survives every re-render. A webinar's
 * attendee gets a "Make <name> a panelist" button of its own beside the
 * menu (the one thing a host does with most of them); panelists' menus
 * offer "Make <name> an attendee".
 */
import type { MediaSource, PeerInfo } from '@protocol/messages';
import { h } from '../dom.js';
import { actionButton, type Report } from './action-button.js';
import type { PeopleActions } from '../meeting/actions.js';
import { icon, phoneBadge, setIcon, type IconName } from './icons.js';
import { hueOf, initials } from './layout.js';
import { MenuButton } from './menu.js';
import { t } from '../strings/index.js';

const hasLive = (peer: PeerInfo, source: MediaSource) =>
  peer.producers.some((producer) => producer.source === source && !producer.paused);

export class PersonRow {
  readonly root = h('li', { class: 'person' });
  private readonly avatar = h('span', { class: 'avatar small', 'aria-hidden': 'true' });
  /** Stands in for the initials of someone on the phone, and says so. */
  private readonly phone = phoneBadge();
  /** Stands in for the initials of a stream published over WHIP (the state line says what it is). */
  private readonly stream = h('span', { class: 'phone-badge', 'aria-hidden': 'true' }, icon('broadcast'));
  private readonly name = h('span', { class: 'name' });
  private readonly state = h('span', { class: 'state' });
  private readonly indicators = h('span', { class: 'indicators', 'aria-hidden': 'true' });
  private readonly micIndicator = h('span', { class: 'indicator' });
  private readonly handIndicator = h('span', { class: 'indicator hand', hidden: true });
  private readonly menu: MenuButton;
  private readonly mute: HTMLButtonElement;
  private readonly stopCamera: HTMLButtonElement;
  private readonly stopScreen: HTMLButtonElement;
  private readonly promote: HTMLButtonElement;
  private readonly askUnmute: HTMLButtonElement;
  private readonly makeAttendee: HTMLButtonElement;
  private readonly makePanelist: HTMLButtonElement;
  private readonly labels: { button: HTMLButtonElement; label: (name: string) => string }[] = [];
  private displayName = '';

  constructor(peerId: string, private readonly self: boolean, actions: PeopleActions, report: Report) {
    this.menu = new MenuButton('more', 'person-actions');
    const item = (iconName: IconName, label: (name: string) => string, run: () => Promise<void>) => {
      const made = actionButton('', run, report);
      made.classList.remove('small');
      this.labels.push({ button: made, label });
      made.dataset['icon'] = iconName;
      return this.menu.add(made);
    };
    this.mute = item('micOff', t.people.mute, () => actions.mute(peerId));
    this.askUnmute = item('mic', t.people.askToUnmute, () => actions.askToUnmute(peerId));
    this.stopCamera = item('cameraOff', t.people.stopCamera, () => actions.stopCamera(peerId));
    this.stopScreen = item('stopShare', t.people.stopScreen, () => actions.stopScreenShare(peerId));
    this.promote = item('host', t.people.promote, () => actions.promote(peerId));
    this.makeAttendee = item('attendee', t.people.makeAttendee, () => actions.makeAttendee(peerId));
    item('remove', t.people.remove, () => actions.remove(peerId));
    this.makePanelist = actionButton('', () => actions.makePanelist(peerId), report);
    this.makePanelist.classList.add('make-panelist');
    this.makePanelist.hidden = true;
    for (const badge of [this.phone, this.stream]) {
      badge.classList.add('avatar', 'small');
      badge.hidden = true;
    }
    this.handIndicator.append(icon('hand'));
    this.indicators.append(this.handIndicator, this.micIndicator);
    this.root.append(
      this.avatar,
      this.phone,
      this.stream,
      h('span', { class: 'who' }, this.name, this.state),
      this.indicators,
      this.makePanelist,
      this.menu.button,
    );
  }

  render(peer: PeerInfo, { speaking, hostControls }: { speaking: boolean; hostControls: boolean }): void {
    setAttribute(this.root, 'aria-label', peer.displayName);
    setAttribute(this.root, 'data-speaking', String(speaking));
    this.root.classList.toggle('speaking', speaking);
    if (peer.displayName !== this.displayName) {
      this.displayName = peer.displayName;
      this.avatar.textContent = initials(peer.displayName);
      this.avatar.style.setProperty('--hue', String(hueOf(peer.displayName)));
      this.name.title = peer.displayName;
      this.menu.setLabel(t.people.actionsFor(peer.displayName));
      this.makePanelist.setAttribute('aria-label', t.people.makePanelist(peer.displayName));
      this.makePanelist.title = t.people.makePanelist(peer.displayName);
      this.makePanelist.replaceChildren(icon('panelist'), h('span', { class: 'label' }, t.people.makePanelistShort));
      for (const { button, label } of this.labels) {
        const text = label(peer.displayName);
        button.textContent = text;
        button.prepend(icon(button.dataset['icon'] as IconName));
      }
    }
    setText(this.name, this.self ? t.people.you(peer.displayName) : peer.displayName);
    const phone = peer.phone === true;
    const stream = peer.stream === true;
    this.avatar.hidden = phone || stream;
    this.phone.hidden = !phone;
    this.stream.hidden = !stream;
    const mic = hasLive(peer, 'mic');
    const camera = hasLive(peer, 'camera');
    const screen = hasLive(peer, 'screen');
    // A stream has no microphone or camera, nor a role to speak of.
    const words = stream
      ? [t.people.whipStream]
      : [
          peer.role === 'host' ? t.people.host : peer.role === 'attendee' ? t.people.attendee : t.people.participant,
          mic ? t.people.micOn : t.people.micOff,
          // A phone has no camera to speak of.
          ...(phone ? [] : [camera ? t.people.cameraOn : t.people.cameraOff]),
          ...(screen ? [t.people.sharing] : []),
          ...(speaking ? [t.people.speaking] : []),
          ...(peer.handRaised ? [t.people.handRaised] : []),
        ];
    setText(this.state, words.join(' · '));
    setIcon(this.micIndicator, mic ? 'mic' : 'micOff');
    this.micIndicator.classList.toggle('off', !mic);
    this.micIndicator.hidden = stream;
    this.handIndicator.hidden = !peer.handRaised;
    // Only the actions that would change something are offered; a stream can only be stopped or removed.
    this.mute.hidden = !mic || stream;
    // Asking makes sense only for a microphone that is there and paused; the person decides.
    this.askUnmute.hidden = stream || !peer.producers.some((producer) => producer.source === 'mic' && producer.paused);
    this.stopCamera.hidden = !camera || stream;
    this.stopScreen.hidden = !screen;
    // A phone or a stream cannot use a host's controls.
    this.promote.hidden = peer.role !== 'participant' || phone || stream;
    this.makeAttendee.hidden = peer.role === 'attendee' || phone || stream;
    this.makePanelist.hidden = !hostControls || peer.role !== 'attendee';
    this.menu.button.hidden = !hostControls;
    if (!hostControls) this.menu.close(false);
  }
}

/** Writes only what changed, so an unchanged row is left alone. */
function setText(element: HTMLElement, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}

function setAttribute(element: HTMLElement, name: string, value: string): void {
  if (element.getAttribute(name) !== value) element.setAttribute(name, value);
}
