/**
 * Before joining. First the meeting is looked up (GET /api/rooms/:id): an
 * ended or unknown link says so at once, and the camera is never turned on.
 * Then a name, a preview of the camera with a microphone level meter,
 * toggles for both, the choice of camera, microphone and speaker, and, by
 * the Join button, whether the meeting is being recorded.
 * Denied permissions are explained; joining without media stays possible.
 */
import type { MediaSource } from '@protocol/messages';
import { savedCredential } from './credential-store.js';
import { reach } from './first-media.js';
import { h, mount } from './dom.js';
import { LevelMeter } from './media/level-meter.js';
import {
  chooseSpeaker,
  chosenSpeaker,
  listDevices,
  openLocalMedia,
  openTrack,
  speakerChoiceSupported,
  swapTrack,
} from './media-devices.js';
import { t } from './strings/index.js';
import { showEnded } from './views/end-screen.js';
import { showStatusCard } from './views/cards.js';

export interface PrejoinResult {
  displayName: string;
  /** The camera and microphone chosen here, once they have started (undefined without any). */
  media: Promise<MediaStream | undefined>;
  /** Turned off here: sent paused once in the meeting. */
  off: ReadonlySet<MediaSource>;
  /** Given here when the meeting asks for one. */
  password?: string;
  /** This page said that the meeting is being recorded. */
  toldOfRecording: boolean;
}

interface RoomInfo {
  lobby: boolean;
  passwordRequired: boolean;
  recording: boolean;
}

const NAME_KEY = 'parley.displayName';

/** Looks the meeting up; `gone` when it does not exist, undefined when the server could not say. */
async function lookUp(roomId: string): Promise<RoomInfo | 'gone' | 'unreachable' | undefined> {
  try {
    const response = await fetch(`/api/rooms/${encodeURIComponent(roomId)}`, { cache: 'no-store' });
    if (response.status === 404) return 'gone';
    if (!response.ok) return undefined;
    return (await response.json()) as RoomInfo;
  } catch {
    return 'unreachable';
  }
}

/** Shows the pre-join form; false when the meeting cannot be joined (its end screen is shown instead). */
export async function showPrejoin(roomId: string, onJoin: (result: PrejoinResult) => void): Promise<boolean> {
  showStatusCard(t.prejoin.checking);
  const room = await lookUp(roomId);
  if (room === 'gone' || room === 'unreachable') {
    showEnded(room === 'gone' ? 'not-found' : 'unreachable', undefined, undefined);
    return false;
  }
  showForm(roomId, room, onJoin);
  return true;
}

function showForm(roomId: string, room: RoomInfo | undefined, onJoin: (result: PrejoinResult) => void): void {
  const hasCredential = savedCredential(roomId) !== undefined;
  const nameInput = h('input', {
    id: 'display-name',
    name: 'displayName',
    autocomplete: 'name',
    maxlength: '64',
    required: true,
    value: localStorage.getItem(NAME_KEY) ?? '',
  });
  const passwordInput = h('input', { id: 'prejoin-password', type: 'password', maxlength: '128', autocomplete: 'off' });
  const askPassword = Boolean(room?.passwordRequired) && !hasCredential;
  const toldOfRecording = room?.recording === true;
  const preview = h('video', { autoplay: true, muted: true, playsinline: true, 'aria-label': t.prejoin.preview });
  const cameraSelect = h('select', { id: 'camera-select' });
  const micSelect = h('select', { id: 'mic-select' });
  const speakerSelect = h('select', { id: 'speaker-select' });
  const speakerField = h('div', { class: 'field', hidden: true }, h('label', { for: 'speaker-select' }, t.devices.speaker), speakerSelect);
  const mediaStatus = h('p', { role: 'status', class: 'media-status' }, t.prejoin.starting);
  const cameraToggle = h('button', { type: 'button', class: 'toggle', 'aria-pressed': 'false', disabled: true }, t.controls.turnCameraOff);
  const micToggle = h('button', { type: 'button', class: 'toggle', 'aria-pressed': 'false', disabled: true }, t.controls.muteMicrophone);
  const meter = new LevelMeter();
  const joinButton = h('button', { type: 'submit' }, t.prejoin.join);
  const off = new Set<MediaSource>();
  let stream: MediaStream | undefined;

  const fillSelect = async (select: HTMLSelectElement, kind: MediaDeviceKind, current?: string) => {
    const devices = await listDevices(kind);
    const label = kind === 'audiooutput' ? t.devices.speaker : kind === 'videoinput' ? t.devices.camera : t.devices.microphone;
    select.replaceChildren(
      ...(kind === 'audiooutput' ? [h('option', { value: '' }, t.devices.systemDefault)] : []),
      ...devices.map((device, index) =>
        h('option', { value: device.deviceId, selected: device.deviceId === current }, device.label || t.devices.numbered(label, index + 1)),
      ),
    );
    if (current !== undefined) select.value = current;
    return devices.length;
  };

  const refreshToggles = () => {
    const video = stream?.getVideoTracks()[0];
    const audio = stream?.getAudioTracks()[0];
    cameraToggle.disabled = !video;
    micToggle.disabled = !audio;
    cameraToggle.textContent = off.has('camera') ? t.controls.turnCameraOn : t.controls.turnCameraOff;
    cameraToggle.setAttribute('aria-pressed', String(off.has('camera')));
    micToggle.textContent = off.has('mic') ? t.controls.unmuteMicrophone : t.controls.muteMicrophone;
    micToggle.setAttribute('aria-pressed', String(off.has('mic')));
    if (video) video.enabled = !off.has('camera');
    if (audio) audio.enabled = !off.has('mic');
    preview.classList.toggle('camera-off', off.has('camera'));
  };

  /** Starts the camera and microphone (the call sends them once started); the device lists are filled after. */
  const openMedia = async () => {
    try {
      stream = await openLocalMedia({});
      reach('cameraStarted');
      preview.srcObject = stream;
      mediaStatus.textContent = '';
      meter.follow(stream.getAudioTracks()[0]);
      void fillDeviceLists(stream).catch((error: unknown) => (mediaStatus.textContent = (error as Error).message));
    } catch (error) {
      preview.srcObject = null;
      mediaStatus.textContent = (error as Error).message;
      mediaStatus.classList.add('error');
    }
    refreshToggles();
  };

  const fillDeviceLists = async (media: MediaStream) => {
    await fillSelect(cameraSelect, 'videoinput', media.getVideoTracks()[0]?.getSettings().deviceId);
    await fillSelect(micSelect, 'audioinput', media.getAudioTracks()[0]?.getSettings().deviceId);
    if (speakerChoiceSupported && (await fillSelect(speakerSelect, 'audiooutput', chosenSpeaker())) > 0) speakerField.hidden = false;
  };

  /** Another camera or microphone: only that device is opened again. */
  const switchDevice = async (kind: 'audio' | 'video', deviceId: string) => {
    if (!stream) return;
    try {
      const track = await openTrack(kind, deviceId || undefined);
      swapTrack(stream, track);
      if (kind === 'audio') meter.follow(track);
      mediaStatus.classList.remove('error');
      mediaStatus.textContent = '';
    } catch (error) {
      mediaStatus.textContent = (error as Error).message;
      mediaStatus.classList.add('error');
    }
    refreshToggles();
  };

  const form = h(
    'form',
    { class: 'card prejoin', 'aria-label': t.prejoin.form },
    h('h1', {}, t.prejoin.heading),
    preview,
    h('div', { class: 'prejoin-toggles' }, micToggle, cameraToggle, meter.root),
    mediaStatus,
    h('label', { for: 'display-name' }, t.prejoin.yourName),
    nameInput,
    askPassword ? h('label', { for: 'prejoin-password' }, t.prejoin.password) : null,
    askPassword ? passwordInput : null,
    h('label', { for: 'camera-select' }, t.devices.camera),
    cameraSelect,
    h('label', { for: 'mic-select' }, t.devices.microphone),
    micSelect,
    speakerField,
    room?.lobby && !hasCredential ? h('p', { class: 'hint' }, t.prejoin.lobbyHint) : null,
    toldOfRecording ? h('p', { class: 'recorded-notice', id: 'recorded-notice' }, h('span', { class: 'dot', 'aria-hidden': 'true' }), t.prejoin.recorded) : null,
    joinButton,
  );
  // Whoever reaches Join by keyboard or screen reader hears it there too.
  if (toldOfRecording) joinButton.setAttribute('aria-describedby', 'recorded-notice');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const displayName = nameInput.value.trim();
    if (!displayName) {
      nameInput.setCustomValidity(t.prejoin.nameMissing);
      nameInput.reportValidity();
      return;
    }
    localStorage.setItem(NAME_KEY, displayName);
    joinButton.disabled = true;
    reach('joinPressed');
    // The join does not wait for a camera still starting: it is sent once it is ready.
    const media = mediaSettled.then(() => {
      meter.stop();
      return stream;
    });
    const password = askPassword && passwordInput.value ? passwordInput.value : undefined;
    onJoin({ displayName, media, off, toldOfRecording, ...(password ? { password } : {}) });
  });
  nameInput.addEventListener('input', () => nameInput.setCustomValidity(''));
  cameraToggle.addEventListener('click', () => {
    if (off.has('camera')) off.delete('camera');
    else off.add('camera');
    refreshToggles();
  });
  micToggle.addEventListener('click', () => {
    if (off.has('mic')) off.delete('mic');
    else off.add('mic');
    refreshToggles();
  });
  cameraSelect.addEventListener('change', () => void (mediaSettled = switchDevice('video', cameraSelect.value)));
  micSelect.addEventListener('change', () => void (mediaSettled = switchDevice('audio', micSelect.value)));
  speakerSelect.addEventListener('change', () => chooseSpeaker(speakerSelect.value));
  mount(form);
  reach('formShown');
  let mediaSettled = openMedia();
}
