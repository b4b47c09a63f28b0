/**
 * Choosing camera, microphone and speaker during the call. A new camera or
 * microphone replaces the track the producer sends (no rejoin, the same
 * producer); the speaker applies to every sound the page plays.
 */
import { h } from '../dom.js';
import { chooseSpeaker, chosenSpeaker, listDevices, speakerChoiceSupported } from '../media-devices.js';
import { panelDialog } from './dialogs.js';
import { toastError } from './toasts.js';

export type SwitchDevice = (kind: 'audio' | 'video', deviceId: string) => Promise<void>;

export function devicesButton(stream: () => MediaStream | undefined, switchDevice: SwitchDevice): HTMLButtonElement {
  const button = h('button', { type: 'button' }, 'Choose camera, microphone and speaker');
  button.addEventListener('click', () => void openDeviceDialog(stream(), switchDevice, () => button.focus()));
  return button;
}

async function openDeviceDialog(stream: MediaStream | undefined, switchDevice: SwitchDevice, onClose: () => void): Promise<void> {
  const select = async (id: string, label: string, kind: MediaDeviceKind, current: string | undefined) => {
    const devices = await listDevices(kind);
    const element = h(
      'select',
      { id },
      ...(kind === 'audiooutput' ? [h('option', { value: '' }, 'System default')] : []),
      ...devices.map((device, index) => h('option', { value: device.deviceId }, device.label || `${label} ${index + 1}`)),
    );
    if (current !== undefined) element.value = current;
    return { element, field: h('div', { class: 'field' }, h('label', { for: id }, label), element), count: devices.length };
  };
  const camera = await select('call-camera-select', 'Camera', 'videoinput', stream?.getVideoTracks()[0]?.getSettings().deviceId);
  const mic = await select('call-mic-select', 'Microphone', 'audioinput', stream?.getAudioTracks()[0]?.getSettings().deviceId);
  const speaker = speakerChoiceSupported ? await select('call-speaker-select', 'Speaker', 'audiooutput', chosenSpeaker()) : undefined;
  const status = h('p', { role: 'status' });
  const onChange = (element: HTMLSelectElement, kind: 'audio' | 'video') =>
    element.addEventListener('change', async () => {
      element.disabled = true;
      status.textContent = kind === 'video' ? 'Switching camera…' : 'Switching microphone…';
      try {
        await switchDevice(kind, element.value);
        status.textContent = kind === 'video' ? 'Camera switched.' : 'Microphone switched.';
      } catch (error) {
        status.textContent = '';
        toastError(error);
      } finally {
        element.disabled = false;
      }
    });
  onChange(camera.element, 'video');
  onChange(mic.element, 'audio');
  speaker?.element.addEventListener('change', () => chooseSpeaker(speaker.element.value));
  const content = h(
    'div',
    { class: 'device-fields' },
    camera.count ? camera.field : h('p', {}, 'No camera found.'),
    mic.count ? mic.field : h('p', {}, 'No microphone found.'),
    noiseSuppressionField(stream?.getAudioTracks()[0], status),
    speaker && speaker.count ? speaker.field : null,
    status,
  );
  panelDialog('Camera, microphone and speaker', content, onClose);
}

/**
 * The browser's own noise suppression for the microphone being sent, on or
 * off through the track's constraints: no new track, nothing renegotiated.
 */
function noiseSuppressionField(track: MediaStreamTrack | undefined, status: HTMLElement): HTMLElement | null {
  if (!track || !('noiseSuppression' in track.getCapabilities())) return null;
  const box = h('input', { type: 'checkbox', id: 'call-noise-suppression' });
  box.checked = track.getSettings().noiseSuppression !== false;
  box.addEventListener('change', async () => {
    try {
      await track.applyConstraints({ ...track.getConstraints(), noiseSuppression: box.checked });
      status.textContent = box.checked ? 'Noise suppression is on.' : 'Noise suppression is off.';
    } catch (error) {
      box.checked = !box.checked;
      toastError(error);
    }
  });
  return h('div', { class: 'field checkbox' }, box, h('label', { for: 'call-noise-suppression' }, 'Noise suppression'));
}
