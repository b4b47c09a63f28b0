import type { types } from 'mediasoup';
import type { Config } from '../config.js';

/** Listen on UDP (preferred) and TCP inside the configured port range. */
export function webRtcTransportOptions(config: Config): types.WebRtcTransportOptions {
  const base = {
    ip: config.PARLEY_RTC_LISTEN_IP,
    announcedAddress: config.PARLEY_RTC_ANNOUNCED_ADDRESS,
    portRange: { min: config.PARLEY_RTC_MIN_PORT, max: config.PARLEY_RTC_MAX_PORT },
  };
  return {
    listenInfos: [
      { ...base, protocol: 'udp' },
      { ...base, protocol: 'tcp' },
    ],
    preferUdp: true,
    initialAvailableOutgoingBitrate: 1_000_000,
  };
}
