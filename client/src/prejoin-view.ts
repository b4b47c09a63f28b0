/**
 * Before joining: a name, a preview of the camera and the microphone, and
 * device selection. Denied permissions are explained; joining without
 * media stays possible.
 */
import { h, mount } from './dom.js';
import { listDevices, openLocalMedia, type DeviceChoice } from './media-devices.js';

export interface PrejoinResult {
  displayName: string;
  stream: MediaStream | undefined;
}

const NAME_KEY = 'parley.displayName';

export function showPrejoin(onJoin: (result: PrejoinResult) => void): void {
  const nameInput = h('input', {
    id: 'display-name',
    name: 'displayName',
    autocomplete: 'name',
    maxlength: '64',
    required: true,
    value: localStorage.getItem(NAME_KEY) ?? '',
  });
  const preview = h('video', { autoplay: true, muted: true, playsinline: true, 'aria-label': 'Camera preview' });
  const cameraSelect = h('select', { id: 'camera-select' });
  const micSelect = h('select', { id: 'mic-select' });
  const mediaStatus = h('p', { role: 'status', class: 'media-status' }, 'Starting camera and microphone…');
  const joinButton = h('button', { type: 'submit' }, 'Join');
  let stream: MediaStream | undefined;

  const fillSelect = async (select: HTMLSelectElement, kind: 'videoinput' | 'audioinput', current?: string) => {
    const devices = await listDevices(kind);
    select.replaceChildren(
      ...devices.map((device, index) =>
        h('option', { value: device.deviceId, selected: device.deviceId === current }, device.label || `Device ${index + 1}`),
      ),
    );
  };

  const openMedia = async (choice: DeviceChoice) => {
    stream?.getTracks().forEach((track) => track.stop());
    stream = undefined;
    try {
      stream = await openLocalMedia(choice);
      preview.srcObject = stream;
      mediaStatus.textContent = '';
      await fillSelect(cameraSelect, 'videoinput', stream.getVideoTracks()[0]?.getSettings().deviceId);
      await fillSelect(micSelect, 'audioinput', stream.getAudioTracks()[0]?.getSettings().deviceId);
    } catch (error) {
      preview.srcObject = null;
      mediaStatus.textContent = (error as Error).message;
      mediaStatus.classList.add('error');
    }
  };

  const form = h(
    'form',
    { class: 'card prejoin', 'aria-label': 'Join the meeting' },
    h('h1', {}, 'Ready to join?'),
    preview,
    mediaStatus,
    h('label', { for: 'display-name' }, 'Your name'),
    nameInput,
    h('label', { for: 'camera-select' }, 'Camera'),
    cameraSelect,
    h('label', { for: 'mic-select' }, 'Microphone'),
    micSelect,
    joinButton,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const displayName = nameInput.value.trim();
    if (!displayName) {
      nameInput.setCustomValidity('Please enter your name.');
      nameInput.reportValidity();
      return;
    }
    localStorage.setItem(NAME_KEY, displayName);
    joinButton.disabled = true;
    // Joining while the camera is still starting would join without it.
    await mediaSettled;
    onJoin({ displayName, stream });
  });
  nameInput.addEventListener('input', () => nameInput.setCustomValidity(''));
  mount(form);
  let mediaSettled = openMedia({});
  const reopen = () => {
    mediaSettled = openMedia({ cameraId: cameraSelect.value || undefined, micId: micSelect.value || undefined });
  };
  cameraSelect.addEventListener('change', reopen);
  micSelect.addEventListener('change', reopen);
}
