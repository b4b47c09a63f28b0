/**
 * One person in the people panel. The row and its buttons are made once and
 * then updated in place; a control that does not apply is hidden, not
 * removed.
 */
import type { MediaSource, PeerInfo } from '@protocol/messages';
import { h } from '../dom.js';
import { actionButton, type Report } from './action-button.js';
import type { PeopleActions } from '../meeting/actions.js';

const hasLive = (peer: PeerInfo, source: MediaSource) =>
  peer.producers.some((producer) => producer.source === source && !producer.paused);

export class PersonRow {
  readonly root = h('li', {});
  private readonly name = h('span', { class: 'name' });
  private readonly state = h('span', { class: 'state' });
  private readonly hand = h('span', { 'aria-hidden': 'true', hidden: true }, '✋');
  private readonly controls: HTMLButtonElement[];
  private readonly stopScreen: HTMLButtonElement;
  private readonly promote: HTMLButtonElement;
  private readonly askUnmute: HTMLButtonElement;
  private readonly labels: { button: HTMLButtonElement; label: (name: string) => string }[] = [];

  constructor(peerId: string, private readonly self: boolean, actions: PeopleActions, report: Report) {
    const button = (label: (name: string) => string, run: () => Promise<void>) => {
      const made = actionButton('', run, report);
      this.labels.push({ button: made, label });
      return made;
    };
    const mute = button((name) => `Mute ${name}`, () => actions.mute(peerId));
    this.askUnmute = button((name) => `Ask ${name} to unmute`, () => actions.askToUnmute(peerId));
    const stopCamera = button((name) => `Stop camera of ${name}`, () => actions.stopCamera(peerId));
    this.stopScreen = button((name) => `Stop screen share of ${name}`, () => actions.stopScreenShare(peerId));
    this.promote = button((name) => `Make ${name} a host`, () => actions.promote(peerId));
    const remove = button((name) => `Remove ${name}`, () => actions.remove(peerId));
    this.controls = [mute, this.askUnmute, stopCamera, this.stopScreen, this.promote, remove];
    this.root.append(this.name, this.state, this.hand, ...this.controls);
  }

  render(peer: PeerInfo, { speaking, hostControls }: { speaking: boolean; hostControls: boolean }): void {
    setAttribute(this.root, 'aria-label', peer.displayName);
    setAttribute(this.root, 'data-speaking', String(speaking));
    this.root.classList.toggle('speaking', speaking);
    setText(this.name, this.self ? `${peer.displayName} (you)` : peer.displayName);
    setText(
      this.state,
      [
        peer.role === 'host' ? 'Host' : 'Participant',
        hasLive(peer, 'mic') ? 'mic on' : 'mic off',
        hasLive(peer, 'camera') ? 'camera on' : 'camera off',
        ...(hasLive(peer, 'screen') ? ['sharing screen'] : []),
        ...(speaking ? ['speaking'] : []),
        ...(peer.handRaised ? ['hand raised'] : []),
      ].join(' · '),
    );
    this.hand.hidden = !peer.handRaised;
    for (const { button, label } of this.labels) setText(button, label(peer.displayName));
    for (const control of this.controls) control.hidden = !hostControls;
    this.stopScreen.hidden ||= !hasLive(peer, 'screen');
    this.promote.hidden ||= peer.role === 'host';
    this.askUnmute.hidden ||= !peer.producers.some((producer) => producer.source === 'mic' && producer.paused);
  }
}

/** Writes only what changed, so an unchanged row is left alone. */
function setText(element: HTMLElement, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}

function setAttribute(element: HTMLElement, name: string, value: string): void {
  if (element.getAttribute(name) !== value) element.setAttribute(name, value);
}
