/** Camera, microphone and speaker access, with errors a person can act on. */
import { PlainError } from './plain-errors.js';
import { t } from './strings/index.js';

export interface DeviceChoice {
  cameraId?: string;
  micId?: string;
}

const SPEAKER_KEY = 'parley.speaker';
const VIDEO_CONSTRAINTS = { width: { ideal: 1280 }, height: { ideal: 720 } };

export async function openLocalMedia(choice: DeviceChoice): Promise<MediaStream> {
  try {
    return await navigator.mediaDevices.getUserMedia({
      audio: choice.micId ? { deviceId: { exact: choice.micId } } : true,
      video: {
        ...(choice.cameraId ? { deviceId: { exact: choice.cameraId } } : {}),
        ...VIDEO_CONSTRAINTS,
      },
    });
  } catch (error) {
    throw new PlainError(describeMediaError(error));
  }
}

/** One new track from the camera or microphone `deviceId` (the default one when absent). */
export async function openTrack(kind: 'audio' | 'video', deviceId?: string): Promise<MediaStreamTrack> {
  const device = deviceId ? { deviceId: { exact: deviceId } } : {};
  try {
    const stream = await navigator.mediaDevices.getUserMedia(
      kind === 'audio' ? { audio: deviceId ? device : true } : { video: { ...device, ...VIDEO_CONSTRAINTS } },
    );
    const [track] = stream.getTracks();
    if (!track) throw new DOMException('no track', 'NotFoundError');
    return track;
  } catch (error) {
    throw new PlainError(describeMediaError(error));
  }
}

/**
 * Puts `track` into `stream` in place of the stream's track of the same
 * kind, which is stopped. Elements showing the stream follow; a disabled
 * (turned off) old track leaves the new one disabled too.
 */
export function swapTrack(stream: MediaStream, track: MediaStreamTrack): void {
  for (const old of stream.getTracks()) {
    if (old.kind !== track.kind || old === track) continue;
    track.enabled = old.enabled;
    stream.removeTrack(old);
    old.stop();
  }
  if (!stream.getTracks().includes(track)) stream.addTrack(track);
}

export async function listDevices(kind: MediaDeviceKind): Promise<MediaDeviceInfo[]> {
  return (await navigator.mediaDevices.enumerateDevices()).filter((device) => device.kind === kind && device.deviceId !== '');
}

/** Whether this browser lets a page choose where sound plays (Chromium does; Safari and Firefox in part). */
export const speakerChoiceSupported = typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;

export function chosenSpeaker(): string {
  return localStorage.getItem(SPEAKER_KEY) ?? '';
}

type SinkElement = HTMLMediaElement & { setSinkId(id: string): Promise<void> };

/** Plays every current and future <audio> on the page through `speakerId` ('' is the system default). */
export function chooseSpeaker(speakerId: string): void {
  localStorage.setItem(SPEAKER_KEY, speakerId);
  for (const element of document.querySelectorAll('audio')) applySpeaker(element);
}

function applySpeaker(element: HTMLMediaElement): void {
  if (!speakerChoiceSupported) return;
  const sink = chosenSpeaker();
  const target = element as SinkElement;
  if ((target as { sinkId?: string }).sinkId === sink) return;
  target.setSinkId(sink).catch((error: unknown) => console.warn('could not choose the speaker', error));
}

let following = false;
/** From now on, every <audio> added to the page plays through the chosen speaker. */
export function followSpeakerChoice(): void {
  if (following || !speakerChoiceSupported) return;
  following = true;
  new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (!(node instanceof Element)) continue;
        if (node instanceof HTMLAudioElement) applySpeaker(node);
        for (const audio of node.querySelectorAll('audio')) applySpeaker(audio);
      }
    }
  }).observe(document.body, { childList: true, subtree: true });
  for (const element of document.querySelectorAll('audio')) applySpeaker(element);
}

export function describeMediaError(error: unknown): string {
  const name = error instanceof DOMException ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return t.devices.denied;
    case 'NotFoundError':
    case 'OverconstrainedError':
      return t.devices.notFound;
    case 'NotReadableError':
      return t.devices.inUse;
    default:
      return t.devices.openFailed;
  }
}
