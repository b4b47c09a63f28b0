/**
 * Who is here: name, role, microphone and camera, speaking, raised hand.
 * Hosts also see the lobby and a control for each person. The buttons are
 * only shortcuts: the server authorises every control.
 */
import type { NotificationData, PeerInfo, RequestMethod } from '@protocol/messages';
import { h } from '../dom.js';

type HostRequest = (method: RequestMethod, data: { peerId: string } | Record<string, never>) => Promise<unknown>;

const hasLive = (peer: PeerInfo, source: PeerInfo['producers'][number]['source']) =>
  peer.producers.some((producer) => producer.source === source && !producer.paused);

export class PeoplePanel {
  readonly root: HTMLElement;
  private readonly list = h('ul', { class: 'people', 'aria-label': 'Participants' });
  private readonly lobby = h('section', { class: 'lobby', 'aria-label': 'Waiting to join', hidden: true });
  private readonly peers = new Map<string, PeerInfo>();
  private speakers = new Set<string>();
  private waiting: NotificationData<'lobbyChanged'>['waiting'] = [];
  private isHost = false;

  constructor(
    private readonly selfId: () => string,
    private readonly hostRequest: HostRequest,
    private readonly reportError: (message: string) => void,
  ) {
    this.root = h('section', { class: 'people-panel', 'aria-label': 'People' }, h('h2', {}, 'People'), this.lobby, this.list);
  }

  setHost(isHost: boolean): void {
    this.isHost = isHost;
    this.render();
  }

  upsert(peer: PeerInfo): void {
    this.peers.set(peer.id, peer);
    this.render();
  }

  remove(peerId: string): void {
    this.peers.delete(peerId);
    this.render();
  }

  setSpeakers(peerIds: string[]): void {
    this.speakers = new Set(peerIds);
    this.render();
  }

  setLobby(waiting: NotificationData<'lobbyChanged'>['waiting']): void {
    this.waiting = waiting;
    this.render();
  }

  private action(label: string, method: RequestMethod, data: { peerId: string } | Record<string, never>): HTMLButtonElement {
    const button = h('button', { type: 'button', class: 'small' }, label);
    button.addEventListener('click', () => {
      button.disabled = true;
      this.hostRequest(method, data)
        .catch((error: unknown) => this.reportError((error as Error).message))
        .finally(() => (button.disabled = false));
    });
    return button;
  }

  private render(): void {
    this.lobby.hidden = !this.isHost || this.waiting.length === 0;
    this.lobby.replaceChildren(
      h('h3', {}, `Waiting to join (${this.waiting.length})`),
      h(
        'ul',
        {},
        ...this.waiting.map(({ peerId, displayName }) =>
          h(
            'li',
            { 'aria-label': displayName },
            h('span', { class: 'name' }, displayName),
            this.action(`Admit ${displayName}`, 'admit', { peerId }),
            this.action(`Deny ${displayName}`, 'deny', { peerId }),
          ),
        ),
      ),
      this.action('Admit all', 'admitAll', {}),
    );

    const items = [...this.peers.values()].map((peer) => {
      const self = peer.id === this.selfId();
      const speaking = this.speakers.has(peer.id);
      const state = [
        peer.role === 'host' ? 'Host' : 'Participant',
        hasLive(peer, 'mic') ? 'mic on' : 'mic off',
        hasLive(peer, 'camera') ? 'camera on' : 'camera off',
        ...(hasLive(peer, 'screen') ? ['sharing screen'] : []),
        ...(speaking ? ['speaking'] : []),
        ...(peer.handRaised ? ['hand raised'] : []),
      ];
      const controls =
        this.isHost && !self
          ? [
              this.action(`Mute ${peer.displayName}`, 'muteParticipant', { peerId: peer.id }),
              this.action(`Stop camera of ${peer.displayName}`, 'stopCamera', { peerId: peer.id }),
              ...(hasLive(peer, 'screen')
                ? [this.action(`Stop screen share of ${peer.displayName}`, 'stopScreenShare', { peerId: peer.id })]
                : []),
              ...(peer.role === 'host' ? [] : [this.action(`Make ${peer.displayName} a host`, 'promote', { peerId: peer.id })]),
              this.action(`Remove ${peer.displayName}`, 'removeParticipant', { peerId: peer.id }),
            ]
          : [];
      return h(
        'li',
        { 'aria-label': peer.displayName, 'data-speaking': String(speaking), class: speaking ? 'speaking' : '' },
        h('span', { class: 'name' }, self ? `${peer.displayName} (you)` : peer.displayName),
        h('span', { class: 'state' }, state.join(' · ')),
        peer.handRaised ? h('span', { 'aria-hidden': 'true' }, '✋') : null,
        ...controls,
      );
    });
    this.list.replaceChildren(...items);
  }
}
