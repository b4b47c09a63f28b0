/**
 * The meeting: a grid with one tile per participant, and the controls.
 * Names are rendered as text only.
 */
import type { PeerInfo } from '../../server/src/protocol/messages.js';
import { CallSession, type RemoteTrack } from './call-session.js';
import { h, mount } from './dom.js';

interface Tile {
  root: HTMLElement;
  video: HTMLVideoElement;
  audio: HTMLAudioElement;
  micState: HTMLElement;
}

function createTile(label: string, isLocal: boolean): Tile {
  const video = h('video', { autoplay: true, playsinline: true, muted: true });
  const audio = h('audio', { autoplay: true });
  const micState = h('span', { class: 'mic-state', 'aria-label': 'Microphone off', hidden: true }, '🔇');
  const root = h(
    'figure',
    { class: isLocal ? 'tile local' : 'tile', role: 'group', 'aria-label': label },
    video,
    audio,
    h('figcaption', {}, h('span', { class: 'name' }, label), micState),
  );
  return { root, video, audio, micState };
}

export async function showCall(roomId: string, displayName: string, stream: MediaStream | undefined): Promise<void> {
  const grid = h('section', { class: 'grid', 'aria-label': 'Participants' });
  const status = h('p', { role: 'status', class: 'call-status' });
  const tiles = new Map<string, Tile>();
  const local = createTile(`${displayName} (you)`, true);
  local.video.srcObject = stream ?? null;
  grid.append(local.root);

  const micButton = h('button', { type: 'button', 'aria-pressed': 'false' }, 'Mute microphone');
  const cameraButton = h('button', { type: 'button', 'aria-pressed': 'false' }, 'Turn camera off');
  const leaveButton = h('button', { type: 'button', class: 'danger' }, 'Leave');
  micButton.disabled = !stream?.getAudioTracks().length;
  cameraButton.disabled = !stream?.getVideoTracks().length;
  mount(h('div', { class: 'call' }, status, grid, h('nav', { class: 'controls', 'aria-label': 'Call controls' }, micButton, cameraButton, leaveButton)));

  const tileFor = (peer: PeerInfo) => {
    let tile = tiles.get(peer.id);
    if (!tile) {
      tile = createTile(peer.displayName, false);
      tiles.set(peer.id, tile);
      grid.append(tile.root);
    }
    return tile;
  };
  const showTrack = (remote: RemoteTrack) => {
    const tile = tiles.get(remote.peerId);
    if (!tile) return;
    if (remote.source === 'mic') {
      tile.audio.srcObject = new MediaStream([remote.track]);
      tile.micState.hidden = !remote.paused;
    } else {
      tile.video.srcObject = new MediaStream([remote.track]);
      tile.root.classList.toggle('camera-off', remote.paused);
    }
  };

  let call: CallSession;
  try {
    call = await CallSession.join(roomId, displayName, stream?.getTracks() ?? [], {
      progress: (step) => (status.textContent = step),
      peerJoined: (peer) => void tileFor(peer),
      peerLeft: (peerId) => {
        tiles.get(peerId)?.root.remove();
        tiles.delete(peerId);
      },
      trackAdded: showTrack,
      trackPaused: showTrack,
      trackRemoved: (remote) => {
        const tile = tiles.get(remote.peerId);
        if (tile && remote.source === 'mic') tile.audio.srcObject = null;
        if (tile && remote.source === 'camera') tile.video.srcObject = null;
      },
      ended: (reason) => showEnded(reason, stream),
    });
  } catch (error) {
    showEnded(`Could not join the meeting: ${(error as Error).message}`, stream);
    return;
  }
  status.textContent = '';

  const toggle = (button: HTMLButtonElement, source: 'mic' | 'camera', labels: [string, string]) => {
    button.addEventListener('click', async () => {
      const sending = !call.isSending(source);
      button.disabled = true;
      try {
        await call.setSending(source, sending);
        button.setAttribute('aria-pressed', String(!sending));
        button.textContent = sending ? labels[0] : labels[1];
        if (source === 'camera') local.root.classList.toggle('camera-off', !sending);
      } catch (error) {
        status.textContent = `Could not change ${source}: ${(error as Error).message}`;
      } finally {
        button.disabled = false;
      }
    });
  };
  toggle(micButton, 'mic', ['Mute microphone', 'Unmute microphone']);
  toggle(cameraButton, 'camera', ['Turn camera off', 'Turn camera on']);
  leaveButton.addEventListener('click', () => {
    call.leave();
    showEnded('You left the meeting.', stream);
  });
}

function showEnded(message: string, stream: MediaStream | undefined): void {
  stream?.getTracks().forEach((track) => track.stop());
  const rejoin = h('button', { type: 'button' }, 'Rejoin');
  rejoin.addEventListener('click', () => location.reload());
  mount(h('section', { class: 'card', role: 'alert' }, h('p', {}, message), rejoin));
}
