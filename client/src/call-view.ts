/**
 * The meeting screen: a stage for screen shares, a grid of camera tiles with
 * the active speaker first, the people and chat panels, and the controls.
 */
import type {
  MediaSource,
  NotificationData,
  PeerInfo,
  RoomSettings,
  ServerNotification,
} from '@protocol/messages';
import { ChatPanel } from './call/chat-panel.js';
import { PeoplePanel } from './call/people-panel.js';
import { Tile } from './call/tiles.js';
import { CallSession, type RemoteTrack } from './call-session.js';
import { RequestError } from './signalling-client.js';
import { h, mount } from './dom.js';

/** Time to first media is measured once per page: from opening the link (time origin) to the first remote frame. */
let firstMediaReported = false;

/** Reconnection attempts after a lost connection: about a minute in all. */
const RECONNECT_DELAYS_MS = [500, 1000, 1000, 2000, 2000, 3000, 3000, 5000, 5000, 5000, 5000, 5000, 5000, 5000, 5000];

export async function showCall(
  roomId: string,
  displayName: string,
  stream: MediaStream | undefined,
  attempt = 0,
  password?: string,
): Promise<void> {
  const status = h('p', { role: 'status', class: 'call-status' });
  mount(h('section', { class: 'card' }, h('h1', {}, 'Parley'), status));

  const stage = h('section', { class: 'stage', 'aria-label': 'Screen shares' });
  const grid = h('section', { class: 'grid', 'aria-label': 'Participants video' });
  const cameraTiles = new Map<string, Tile>();
  const screenTiles = new Map<string, Tile>();
  const names = new Map<string, string>();
  const local = new Tile(`${displayName} (you)`, 'local');
  local.setLocalStream(stream ?? null);
  let selfId = '';
  let role: PeerInfo['role'] = 'participant';
  let handRaised = false;
  let room: RoomSettings = { locked: false, lobby: true };
  let call: CallSession | undefined;

  const report = (message: string) => (status.textContent = message);
  let inMeeting = false;
  /** Set once this session has ended, so a failing start cannot end it a second time. */
  let over = false;
  /** Joins again with the saved credential: no lobby, same role. */
  const reconnect = (reason: string) => {
    const next = inMeeting ? 0 : attempt;
    const delay = RECONNECT_DELAYS_MS[next];
    if (delay === undefined) return showEnded(`${reason} Reconnecting did not work.`, stream);
    mount(h('section', { class: 'card' }, h('p', { role: 'status' }, `${reason} Reconnecting…`)));
    setTimeout(() => void showCall(roomId, displayName, stream, next + 1), delay);
  };
  const people = new PeoplePanel(
    () => selfId,
    (method, data) => call!.request(method as never, data as never),
    report,
  );
  const chat = new ChatPanel(async (text) => void (await call!.request('sendChat', { text })));

  // Media controls wait until the session has its transports and producers.
  const micButton = h('button', { type: 'button', 'aria-pressed': 'false', disabled: true }, 'Mute microphone');
  const cameraButton = h('button', { type: 'button', 'aria-pressed': 'false', disabled: true }, 'Turn camera off');
  const shareButton = h('button', { type: 'button', disabled: true }, 'Share screen');
  const handButton = h('button', { type: 'button', 'aria-pressed': 'false', disabled: true }, 'Raise hand');
  const inviteButton = h('button', { type: 'button' }, 'Copy invite link');
  const lockButton = h('button', { type: 'button', hidden: true }, 'Lock meeting');
  const lobbyButton = h('button', { type: 'button', hidden: true }, 'Turn lobby off');
  const endButton = h('button', { type: 'button', class: 'danger', hidden: true }, 'End meeting for all');
  const leaveButton = h('button', { type: 'button', class: 'danger' }, 'Leave');

  const selfInfo = (): PeerInfo => ({
    id: selfId,
    displayName,
    role,
    handRaised,
    producers: (['mic', 'camera', 'screen'] as const)
      .filter((source) => call?.isSending(source))
      .map((source) => ({ id: source, source, paused: false })),
  });
  const refreshControls = () => {
    const sending = (source: MediaSource) => call?.isSending(source) ?? false;
    micButton.textContent = sending('mic') ? 'Mute microphone' : 'Unmute microphone';
    micButton.setAttribute('aria-pressed', String(!sending('mic')));
    cameraButton.textContent = sending('camera') ? 'Turn camera off' : 'Turn camera on';
    cameraButton.setAttribute('aria-pressed', String(!sending('camera')));
    local.setCameraOff(!sending('camera'));
    shareButton.textContent = sending('screen') ? 'Stop sharing' : 'Share screen';
    handButton.textContent = handRaised ? 'Lower hand' : 'Raise hand';
    handButton.setAttribute('aria-pressed', String(handRaised));
    for (const button of [lockButton, lobbyButton, endButton]) button.hidden = role !== 'host';
    lockButton.textContent = room.locked ? 'Unlock meeting' : 'Lock meeting';
    lobbyButton.textContent = room.lobby ? 'Turn lobby off' : 'Turn lobby on';
    people.setHost(role === 'host');
    if (selfId) people.upsert(selfInfo());
  };
  const cameraTile = (peer: PeerInfo) => {
    names.set(peer.id, peer.displayName);
    let tile = cameraTiles.get(peer.id);
    if (!tile) {
      tile = new Tile(peer.displayName, 'camera');
      cameraTiles.set(peer.id, tile);
      grid.append(tile.root);
    }
    tile.setHandRaised(peer.handRaised);
    return tile;
  };
  const tileFor = (remote: RemoteTrack): Tile | undefined => {
    if (remote.source === 'mic' || remote.source === 'camera') return cameraTiles.get(remote.peerId);
    let tile = screenTiles.get(remote.peerId);
    if (!tile) {
      tile = new Tile(`${names.get(remote.peerId) ?? 'Someone'}'s screen`, 'screen');
      screenTiles.set(remote.peerId, tile);
      stage.append(tile.root);
    }
    return tile;
  };
  const showConsumer = (consumerId: string, visible: boolean, layer: number) =>
    void call?.showConsumer(consumerId, visible, layer).catch((error: unknown) => report((error as Error).message));

  const onNotification = (notification: ServerNotification) => {
    switch (notification.method) {
      case 'peerJoined':
      case 'peerUpdated': {
        const { peer } = notification.data;
        cameraTile(peer);
        return people.upsert(peer);
      }
      case 'peerLeft': {
        const { peerId } = notification.data;
        cameraTiles.get(peerId)?.remove();
        cameraTiles.delete(peerId);
        screenTiles.get(peerId)?.remove();
        screenTiles.delete(peerId);
        return people.remove(peerId);
      }
      case 'lobbyChanged':
        return people.setLobby(notification.data.waiting);
      case 'roomUpdated':
        room = notification.data.room;
        return refreshControls();
      case 'promoted':
        role = 'host';
        report('You are now a host.');
        return refreshControls();
      case 'mediaStoppedByHost':
        return report(
          notification.data.source === 'mic'
            ? 'A host muted your microphone.'
            : notification.data.source === 'camera'
              ? 'A host turned off your camera.'
              : 'A host stopped your screen share.',
        );
      case 'chatMessage':
        return chat.add(notification.data.message);
      case 'speakers': {
        const { peerIds } = notification.data;
        people.setSpeakers(peerIds);
        local.setSpeaking(peerIds.includes(selfId));
        for (const [peerId, tile] of cameraTiles) tile.setSpeaking(peerIds.includes(peerId));
        // Active-speaker layout: the loudest speaker's tile comes first.
        const loudest = peerIds[0] && cameraTiles.get(peerIds[0]);
        if (loudest) grid.insertBefore(loudest.root, grid.firstChild);
        return;
      }
    }
  };

  const enterMeeting = (welcome: NotificationData<'joined'>, peerId: string) => {
    selfId = peerId;
    role = welcome.role;
    room = welcome.room;
    for (const peer of welcome.peers) {
      cameraTile(peer);
      people.upsert(peer);
    }
    for (const message of welcome.chatHistory) chat.add(message);
    grid.prepend(local.root);
    mount(
      h(
        'div',
        { class: 'call' },
        status,
        h('main', { class: 'meeting' }, stage, grid),
        h('aside', { class: 'side' }, people.root, chat.root),
        h(
          'nav',
          { class: 'controls', 'aria-label': 'Call controls' },
          micButton,
          cameraButton,
          shareButton,
          handButton,
          inviteButton,
          lockButton,
          lobbyButton,
          endButton,
          leaveButton,
        ),
      ),
    );
    status.textContent = '';
  };

  try {
    call = await CallSession.connect(roomId, {
      progress: report,
      waiting: () => {
        const leave = h('button', { type: 'button', class: 'danger' }, 'Leave');
        leave.addEventListener('click', () => {
          call?.leave();
          showEnded('You left the lobby.', stream);
        });
        mount(h('section', { class: 'card lobby-wait' }, h('h1', {}, 'Waiting to join'), h('p', { role: 'status' }, 'Waiting for the host to let you in…'), leave));
      },
      joined: enterMeeting,
      notification: onNotification,
      trackAdded: (remote) => {
        const tile = tileFor(remote);
        tile?.attach(remote, showConsumer);
        if (tile && remote.track.kind === 'video' && !firstMediaReported) {
          tile.video.requestVideoFrameCallback(() => {
            if (firstMediaReported) return;
            firstMediaReported = true;
            const milliseconds = Math.round(performance.now());
            void call?.request('reportTimeToFirstMedia', { milliseconds }).catch(() => (firstMediaReported = false));
          });
        }
      },
      trackPaused: (remote) => tileFor(remote)?.update(remote),
      trackRemoved: (remote) => {
        if (remote.source === 'screen') {
          screenTiles.get(remote.peerId)?.remove();
          screenTiles.delete(remote.peerId);
          return;
        }
        const tile = remote.source === 'screen-audio' ? screenTiles.get(remote.peerId) : cameraTiles.get(remote.peerId);
        tile?.detach(remote);
      },
      localMediaChanged: () => refreshControls(),
      ended: (reason, connectionLost) => {
        over = true;
        if (connectionLost) reconnect(reason);
        else showEnded(reason, stream);
      },
    });
    await call.start(displayName, stream?.getTracks() ?? [], password);
  } catch (error) {
    call?.leave();
    if (over) return;
    if (error instanceof RequestError && error.body.code.startsWith('password_')) {
      askPassword(error.message, (given) => void showCall(roomId, displayName, stream, 0, given));
    } else if (attempt > 0 && !(error instanceof RequestError && error.body.code !== 'unavailable')) {
      reconnect((error as Error).message);
    } else {
      showEnded(`Could not join the meeting: ${(error as Error).message}`, stream);
    }
    return;
  }
  const session = call;
  inMeeting = true;
  status.textContent = '';
  micButton.disabled = !stream?.getAudioTracks().length;
  cameraButton.disabled = !stream?.getVideoTracks().length;
  shareButton.disabled = false;
  handButton.disabled = false;
  refreshControls();

  const onClick = (button: HTMLButtonElement, action: () => Promise<unknown>) =>
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        await action();
      } catch (error) {
        report((error as Error).message);
      } finally {
        button.disabled = false;
        refreshControls();
      }
    });
  onClick(micButton, () => session.setSending('mic', !session.isSending('mic')));
  onClick(cameraButton, () => session.setSending('camera', !session.isSending('camera')));
  onClick(shareButton, () => (session.isSending('screen') ? session.stopScreenShare() : session.startScreenShare()));
  onClick(handButton, async () => {
    await session.request('setHandRaised', { raised: !handRaised });
    handRaised = !handRaised;
  });
  onClick(inviteButton, async () => {
    await navigator.clipboard.writeText(`${location.origin}/r/${roomId}`);
    report('Invite link copied.');
  });
  onClick(lockButton, () => session.request('setRoomLocked', { locked: !room.locked }));
  onClick(lobbyButton, () => session.request('setLobbyEnabled', { enabled: !room.lobby }));
  onClick(endButton, async () => {
    if (!confirm('End the meeting for everyone?')) return;
    await session.request('endMeeting', {});
  });
  leaveButton.addEventListener('click', () => {
    session.leave();
    showEnded('You left the meeting.', stream);
  });
}

function askPassword(message: string, submit: (password: string) => void): void {
  const input = h('input', { id: 'room-password', type: 'password', required: true, maxlength: '128', autocomplete: 'off' });
  const form = h(
    'form',
    { class: 'card', 'aria-label': 'Meeting password' },
    h('p', { role: 'alert' }, message),
    h('label', { for: 'room-password' }, 'Meeting password'),
    input,
    h('button', { type: 'submit' }, 'Join'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit(input.value);
  });
  mount(form);
  input.focus();
}

function showEnded(message: string, stream: MediaStream | undefined): void {
  stream?.getTracks().forEach((track) => track.stop());
  const rejoin = h('button', { type: 'button' }, 'Rejoin');
  rejoin.addEventListener('click', () => location.reload());
  mount(h('section', { class: 'card', role: 'alert' }, h('p', {}, message), rejoin));
}
