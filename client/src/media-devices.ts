/** Camera and microphone access, with errors a person can act on. */

export interface DeviceChoice {
  cameraId?: string;
  micId?: string;
}

export async function openLocalMedia(choice: DeviceChoice): Promise<MediaStream> {
  try {
    return await navigator.mediaDevices.getUserMedia({
      audio: choice.micId ? { deviceId: { exact: choice.micId } } : true,
      video: {
        ...(choice.cameraId ? { deviceId: { exact: choice.cameraId } } : {}),
        width: { ideal: 1280 },
        height: { ideal: 720 },
      },
    });
  } catch (error) {
    throw new Error(describeMediaError(error));
  }
}

export async function listDevices(kind: 'videoinput' | 'audioinput'): Promise<MediaDeviceInfo[]> {
  return (await navigator.mediaDevices.enumerateDevices()).filter((device) => device.kind === kind);
}

export function describeMediaError(error: unknown): string {
  const name = error instanceof DOMException ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'Camera and microphone permission was denied. Allow them in the browser’s site settings and reload, or join without them.';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'No camera or microphone was found. Check that one is connected, or join without them.';
    case 'NotReadableError':
      return 'The camera or microphone is in use by another application.';
    default:
      return `Could not open the camera or microphone${error instanceof Error ? `: ${error.message}` : '.'}`;
  }
}
