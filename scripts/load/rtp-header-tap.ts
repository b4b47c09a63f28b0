/**
 * The cheap receive path for load bots. werift decrypts every SRTP packet
 * and parses it in JavaScript, which makes the load generator, not the SFU,
 * the bottleneck at a few hundred consumers. SRTP encrypts only the payload:
 * the RTP header, with its SSRC and sequence number, travels in clear text.
 * So once werift has done ICE and DTLS, this tap takes the RTP datagrams off
 * the transport's UDP sockets before werift sees them and hands their SSRC
 * and sequence number to `onRtp`. STUN (ICE consent), DTLS and RTCP still go
 * to werift, so the transport stays alive as a real WebRTC peer. Packets are
 * not authenticated: fine on loopback, where nothing else sends them.
 */
import type { Socket } from 'node:dgram';
import type { types } from 'msc-node';

export type RtpHeaderListener = (ssrc: number, sequence: number, bytes: number) => void;

/** One of werift's UDP sockets with the tap on it. */
export interface TappedSocket {
  socket: Socket;
  /** werift's own handler, for whatever is not RTP. */
  deliver(data: Buffer, address: [string, number]): void;
}

/** Packets of one stream that a counter in another process saw since it last said. */
export interface CountsElsewhere {
  ssrc: number;
  packets: number;
  lost: number;
  bytes: number;
}

/** A tapped socket that a counter in another process can take over, crediting its bot with what it counts. */
export interface HandableSocket extends TappedSocket {
  add(counts: CountsElsewhere): void;
}

interface UdpProtocol {
  transport?: { socket?: Socket; onData?: (data: Buffer, address: [string, number]) => void; tapped?: boolean };
}

const RTP_HEADER_BYTES = 12;

/** RFC 5761: an RTP version-2 packet whose second byte is not an RTCP packet type (192–223). */
function isRtp(data: Buffer): boolean {
  return data.length >= RTP_HEADER_BYTES && (data[0]! & 0xc0) === 0x80 && (data[1]! < 192 || data[1]! > 223);
}

/**
 * Diverts `transport`'s incoming RTP to `onRtp`. Call it once the transport
 * is connected: werift opens its sockets while connecting. Returns the
 * sockets it tapped (none means werift's internals moved; the caller should fail).
 */
export function tapRtpHeaders(transport: types.Transport, onRtp: RtpHeaderListener): TappedSocket[] {
  // msc-node keeps werift's RTCPeerConnection as `pc`; its ICE connection holds one protocol per local socket.
  const pc = (transport as unknown as { pc?: { iceTransports?: { connection?: { protocols?: UdpProtocol[] } }[] } }).pc;
  const tapped: TappedSocket[] = [];
  for (const iceTransport of pc?.iceTransports ?? []) {
    for (const protocol of iceTransport.connection?.protocols ?? []) {
      const udp = protocol.transport;
      const werift = udp?.onData;
      if (!udp?.socket || !werift || udp.tapped) continue;
      udp.onData = (data, address) => {
        if (isRtp(data)) onRtp(data.readUInt32BE(8), data.readUInt16BE(2), data.length);
        else werift(data, address);
      };
      udp.tapped = true;
      tapped.push({ socket: udp.socket, deliver: werift });
    }
  }
  return tapped;
}
