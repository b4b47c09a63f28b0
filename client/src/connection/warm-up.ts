/**
 * What a join needs before it can ask to enter: the signalling connection
 * and a mediasoup Device loaded with the router's capabilities. A `WarmUp`
 * starts both while the person is still on the pre-join page, so pressing
 * Join waits for neither.
 */
import { Device } from 'mediasoup-client';
import type { types } from 'mediasoup-client';
import { reach } from '../first-media.js';
import { SignallingClient } from '../signalling-client.js';

export interface Connected {
  client: SignallingClient;
  device: Device;
}

/** Opens the signalling connection for `roomId` and loads a Device with its router's capabilities. */
export async function connect(roomId: string): Promise<Connected> {
  const client = await SignallingClient.connect(roomId);
  reach('socketOpen');
  try {
    const { rtpCapabilities } = await client.request('getRouterRtpCapabilities', {});
    const device = new Device();
    await device.load({ routerRtpCapabilities: rtpCapabilities as types.RtpCapabilities });
    return { client, device };
  } catch (error) {
    client.close();
    throw error;
  }
}

export class WarmUp {
  private readonly ready: Promise<Connected | undefined>;
  /** The connection closed before anyone took it. */
  private stale = false;
  private taken = false;

  constructor(roomId: string) {
    this.ready = connect(roomId).then(
      (connected) => {
        connected.client.onClose(() => (this.stale = true));
        return connected;
      },
      // The join itself will connect again and say what went wrong.
      () => undefined,
    );
  }

  /** The warm connection, once and only while it is open; otherwise undefined, and the caller connects itself. */
  async take(): Promise<Connected | undefined> {
    const connected = await this.ready;
    if (!connected || this.taken || this.stale) return undefined;
    this.taken = true;
    return connected;
  }

  /** Nobody will join from this page: the connection is closed. */
  cancel(): void {
    void this.take().then((connected) => connected?.client.close());
  }
}
