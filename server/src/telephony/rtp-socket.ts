/**
 * The UDP socket one phone call's RTP uses, bound to a free port of the
 * configured range. It takes packets only from the phone's address (the one
 * in its SDP, or the one its SIP came from, for phones behind NAT) and
 * sends to where the phone's packets actually come from once they do
 * (symmetric RTP), so nobody else can inject audio into a call. Until the
 * first packet, it sends only to an SDP address that is also where the SIP
 * came from: an SDP naming someone else's address cannot turn Parley into
 * a stream of packets at a third party.
 */
import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';

/** RTP packets above this are not audio: dropped unread. */
const MAX_RTP_BYTES = 1_500;
/** Packets per second taken from the phone: 50 is a 20 ms stream; the rest is a flood. */
const MAX_PACKETS_PER_SECOND = 200;

export class RtpSocket extends EventEmitter<{ packet: [Buffer] }> {
  private target: { address: string; port: number };
  private latched = false;
  private closed = false;
  private windowStart = Date.now();
  private packetsInWindow = 0;

  private constructor(
    private readonly socket: dgram.Socket,
    readonly port: number,
    target: { address: string; port: number },
    /** Addresses whose packets are the phone's. */
    private readonly phoneAddresses: Set<string>,
    /** Where the call's SIP came from: an SDP address among them may be sent to before the first packet. */
    private readonly signalling: ReadonlySet<string>,
  ) {
    super();
    this.target = target;
    socket.on('message', (packet, from) => this.onPacket(packet, from));
    socket.on('error', () => {});
  }

  /** A socket on the first free port of [min, max], starting at a random one. `signalling`: where the call's SIP came from. */
  static async open(address: string, range: { min: number; max: number }, target: { address: string; port: number }, signalling: string[]): Promise<RtpSocket> {
    const size = range.max - range.min + 1;
    const start = Math.floor(Math.random() * size);
    for (let i = 0; i < size; i++) {
      // RTP on even ports, as RFC 3550 suggests (RTCP would take the next).
      const port = range.min + ((start + i) % size);
      if (port % 2 !== 0) continue;
      const socket = dgram.createSocket('udp4');
      const bound = await new Promise<boolean>((resolve) => {
        socket.once('error', () => resolve(false));
        socket.bind(port, address, () => resolve(true));
      });
      if (bound) return new RtpSocket(socket, port, target, new Set([...signalling, target.address]), new Set(signalling));
      socket.close();
    }
    throw new Error(`no free RTP port in ${range.min}-${range.max}`);
  }

  /** The phone moved its media (a re-INVITE). */
  retarget(target: { address: string; port: number }): void {
    this.target = target;
    this.phoneAddresses.add(target.address);
    this.latched = false;
  }

  send(packet: Uint8Array): void {
    if (this.closed || (!this.latched && !this.signalling.has(this.target.address))) return;
    this.socket.send(packet, this.target.port, this.target.address, () => {});
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.removeAllListeners();
    this.socket.close();
  }

  private onPacket(packet: Buffer, from: dgram.RemoteInfo): void {
    if (packet.length > MAX_RTP_BYTES || !this.phoneAddresses.has(from.address)) return;
    const now = Date.now();
    if (now - this.windowStart >= 1_000) {
      this.windowStart = now;
      this.packetsInWindow = 0;
    }
    if (++this.packetsInWindow > MAX_PACKETS_PER_SECOND) return;
    if (!this.latched) {
      this.latched = true;
      this.target = { address: from.address, port: from.port };
    }
    this.emit('packet', packet);
  }
}
