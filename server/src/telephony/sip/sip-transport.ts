/**
 * SIP over UDP and TCP (and TLS when a certificate is configured),
 * hardened: the `sip` package parses and serialises, but its own transports
 * crash on socket errors and take any size, so Parley binds the sockets
 * itself. Every datagram or stream is capped in
 * size, every source is checked against the allowed networks and its rate
 * before a byte is parsed, and what cannot be parsed is dropped (a message
 * without a usable Via cannot be answered).
 */
import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import sip, { type Connection, type SipMessage } from 'sip';

/** Where a message came from or goes to. */
export interface SipPeer {
  protocol: 'UDP' | 'TCP' | 'TLS';
  address: string;
  port: number;
}

/** Largest SIP message taken: an INVITE with SDP is 1–2 kB; 8 kB leaves room for long header sets. */
export const MAX_SIP_MESSAGE_BYTES = 8_192;
/** TCP connections one address may hold, and how long one may sit idle. */
const TCP_CONNECTIONS_PER_ADDRESS = 8;
const TCP_IDLE_MS = 120_000;

export interface SipTransportOptions {
  address: string;
  port: number;
  /** Whether a source may send at all (networks and rate), asked before parsing. */
  admit(source: SipPeer): boolean;
  /** SIP over TLS on its own port, with this certificate and key (PEM). */
  tls?: { port: number; cert: Buffer; key: Buffer };
}

export interface SipTransportEvents {
  message: [message: SipMessage, source: SipPeer];
  error: [error: Error];
}

export class SipTransport extends EventEmitter<SipTransportEvents> {
  private readonly udp: dgram.Socket;
  private readonly tcp: net.Server;
  private readonly tls: tls.Server | undefined;
  private readonly streams = new Map<string, net.Socket>();
  private readonly perAddress = new Map<string, number>();
  private closed = false;

  private constructor(private readonly options: SipTransportOptions) {
    super();
    this.udp = dgram.createSocket(net.isIPv6(options.address) ? 'udp6' : 'udp4');
    this.udp.on('message', (data, info) => this.onDatagram(data, { protocol: 'UDP', address: info.address, port: info.port }));
    this.udp.on('error', (error) => this.emit('error', error));
    this.tcp = net.createServer((socket) => this.onStream(socket, 'TCP'));
    this.tcp.on('error', (error) => this.emit('error', error));
    if (options.tls) {
      // A TLS handshake that never completes is closed like an idle connection.
      this.tls = tls.createServer({ cert: options.tls.cert, key: options.tls.key, handshakeTimeout: 10_000 }, (socket) => this.onStream(socket, 'TLS'));
      this.tls.on('error', (error) => this.emit('error', error));
      this.tls.on('tlsClientError', () => {});
    }
  }

  /** Binds UDP and TCP on the same port, and TLS on its own; rejects (and frees all) if any is taken. */
  static async listen(options: SipTransportOptions): Promise<SipTransport> {
    const transport = new SipTransport(options);
    try {
      await new Promise<void>((resolve, reject) => {
        transport.udp.once('error', reject);
        transport.udp.bind(options.port, options.address, () => resolve());
      });
      const port = transport.udp.address().port;
      await new Promise<void>((resolve, reject) => {
        transport.tcp.once('error', reject);
        transport.tcp.listen(port, options.address, () => resolve());
      });
      if (transport.tls && options.tls) {
        await new Promise<void>((resolve, reject) => {
          transport.tls!.once('error', reject);
          transport.tls!.listen(options.tls!.port, options.address, () => resolve());
        });
      }
    } catch (error) {
      transport.close();
      throw error;
    }
    return transport;
  }

  get port(): number {
    return this.udp.address().port;
  }

  /** The port of SIP over TLS, if it is on. */
  get tlsPort(): number | undefined {
    return (this.tls?.address() as net.AddressInfo | null)?.port;
  }

  /** The port a peer of this protocol reaches us on. */
  portFor(protocol: SipPeer['protocol']): number {
    return protocol === 'TLS' ? (this.tlsPort ?? this.port) : this.port;
  }

  /** A connection for the transaction layer: sends to `peer` over its protocol. */
  connection(peer: SipPeer): Connection {
    return { protocol: peer.protocol, send: (message) => this.send(peer, message), release: () => {} };
  }

  send(peer: SipPeer, message: SipMessage): void {
    if (this.closed) return;
    const bytes = Buffer.from(sip.stringify(message), 'binary');
    if (peer.protocol === 'UDP') {
      this.udp.send(bytes, peer.port, peer.address, (error) => error && this.emit('error', error));
      return;
    }
    const stream = this.streams.get(keyOf(peer));
    if (stream && !stream.destroyed) {
      stream.write(bytes);
      return;
    }
    // Calls go out over UDP or TCP; TLS answers only on the caller's own connection.
    if (peer.protocol === 'TLS') {
      this.emit('error', new Error(`no TLS connection to ${keyOf(peer)}`));
      return;
    }
    const socket = net.connect({ host: peer.address, port: peer.port }, () => socket.write(bytes));
    this.track(socket, peer);
  }

  close(): void {
    this.closed = true;
    this.udp.removeAllListeners('message');
    try {
      this.udp.close();
    } catch {
      // Never bound.
    }
    this.tcp.close();
    this.tls?.close();
    for (const socket of this.streams.values()) socket.destroy();
  }

  private onDatagram(data: Buffer, source: SipPeer): void {
    // Keep-alives (CRLF) and anything over the cap are dropped unread.
    if (data.length < 16 || data.length > MAX_SIP_MESSAGE_BYTES || !this.options.admit(source)) return;
    const message = sip.parse(data);
    if (message && wellFormed(message)) this.emit('message', message, source);
  }

  private onStream(socket: net.Socket, protocol: 'TCP' | 'TLS'): void {
    const source: SipPeer = { protocol, address: normalise(socket.remoteAddress ?? ''), port: socket.remotePort ?? 0 };
    const count = this.perAddress.get(source.address) ?? 0;
    if (count >= TCP_CONNECTIONS_PER_ADDRESS || !this.options.admit(source)) {
      socket.destroy();
      return;
    }
    this.track(socket, source);
  }

  private track(socket: net.Socket, peer: SipPeer): void {
    const key = keyOf(peer);
    this.streams.set(key, socket);
    this.perAddress.set(peer.address, (this.perAddress.get(peer.address) ?? 0) + 1);
    socket.setEncoding('binary');
    socket.setTimeout(TCP_IDLE_MS, () => socket.destroy());
    const parse = sip.makeStreamParser(
      (message) => {
        if (wellFormed(message) && this.options.admit(peer)) this.emit('message', message, peer);
      },
      () => socket.destroy(),
      MAX_SIP_MESSAGE_BYTES,
      MAX_SIP_MESSAGE_BYTES,
    );
    socket.on('data', (chunk: string) => parse(chunk));
    socket.on('error', () => socket.destroy());
    socket.once('close', () => {
      if (this.streams.get(key) === socket) this.streams.delete(key);
      const left = (this.perAddress.get(peer.address) ?? 1) - 1;
      if (left > 0) this.perAddress.set(peer.address, left);
      else this.perAddress.delete(peer.address);
    });
  }
}

const keyOf = (peer: SipPeer) => `${peer.address}:${peer.port}`;

/** IPv4 peers of a dual-stack socket arrive as ::ffff:a.b.c.d. */
const normalise = (address: string) => address.replace(/^::ffff:/, '');

/** What any answer needs: Via, Call-ID, From, To and a CSeq whose method matches. */
function wellFormed(message: SipMessage): boolean {
  const { headers } = message;
  if (!Array.isArray(headers.via) || headers.via.length === 0 || !headers.via[0]?.params) return false;
  if (typeof headers['call-id'] !== 'string' || headers['call-id'].length === 0 || headers['call-id'].length > 256) return false;
  if (!headers.from?.uri || !headers.to?.uri || typeof headers.cseq !== 'object' || !Number.isInteger(headers.cseq.seq)) return false;
  if ('method' in message) return typeof message.uri === 'string' && headers.cseq.method === message.method;
  return Number.isInteger(message.status) && message.status >= 100 && message.status <= 699;
}
