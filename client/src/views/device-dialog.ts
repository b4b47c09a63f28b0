/**
 * Choosing camera, microphone and speaker during the call. A new camera or
 * microphone replaces the track the producer sends (no rejoin, the same
 * producer); the speaker applies to every sound the page plays.
 */
import { h } from '../dom.js';
import { chooseSpeaker, chosenSpeaker, listDevices, speakerChoiceSupported } from '../media-devices.js';
import { t } from '../strings/index.js';
import { panelDialog } from './dialogs.js';
import { toastError } from './toasts.js';

export type SwitchDevice = (kind: 'audio' | 'video', deviceId: string) => Promise<void>;

export function devicesButton(stream: () => MediaStream | undefined, switchDevice: SwitchDevice): HTMLButtonElement {
  const button = h('button', { type: 'button' }, t.devices.choose);
  button.addEventListener('click', () => void openDeviceDialog(stream(), switchDevice, () => button.focus()));
  return button;
}

async function openDeviceDialog(stream: MediaStream | undefined, switchDevice: SwitchDevice, onClose: () => void): Promise<void> {
  const select = async (id: string, label: string, kind: MediaDeviceKind, current: string | undefined) => {
    const devices = await listDevices(kind);
    const element = h(
      'select',
      { id },
      ...(kind === 'audiooutput' ? [h('option', { value: '' }, t.devices.systemDefault)] : []),
      ...devices.map((device, index) => h('option', { value: device.deviceId }, device.label || t.devices.numbered(label, index + 1))),
    );
    if (current !== undefined) element.value = current;
    return { element, field: h('div', { class: 'field' }, h('label', { for: id }, label), element), count: devices.length };
  };
  const camera = await select('call-camera-select', t.devices.camera, 'videoinput', stream?.getVideoTracks()[0]?.getSettings().deviceId);
  const mic = await select('call-mic-select', t.devices.microphone, 'audioinput', stream?.getAudioTracks()[0]?.getSettings().deviceId);
  const speaker = speakerChoiceSupported ? await select('call-speaker-select', t.devices.speaker, 'audiooutput', chosenSpeaker()) : undefined;
  const status = h('p', { role: 'status' });
  const onChange = (element: HTMLSelectElement, kind: 'audio' | 'video') =>
    element.addEventListener('change', async () => {
      element.disabled = true;
      status.textContent = kind === 'video' ? t.devices.switchingCamera : t.devices.switchingMicrophone;
      try {
        await switchDevice(kind, element.value);
        status.textContent = kind === 'video' ? t.devices.cameraSwitched : t.devices.microphoneSwitched;
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
    camera.count ? camera.field : h('p', {}, t.devices.noCamera),
    mic.count ? mic.field : h('p', {}, t.devices.noMicrophone),
    noiseSuppressionField(stream?.getAudioTracks()[0], status),
    speaker && speaker.count ? speaker.field : null,
    status,
  );
  panelDialog(t.devices.dialog, content, onClose);
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
      status.textContent = box.checked ? t.devices.noiseSuppressionOn : t.devices.noiseSuppressionOff;
    } catch (error) {
      box.checked = !box.checked;
      toastError(error);
    }
  });
  return h('div', { class: 'field checkbox' }, box, h('label', { for: 'call-noise-suppression' }, t.devices.noiseSuppression));
}
