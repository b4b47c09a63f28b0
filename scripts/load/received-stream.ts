/** What a receiving bot counts per consumer: packets, losses from RTP sequence gaps, and bytes. */
export interface ReceivedStream {
  producerId: string;
  kind: 'audio' | 'video';
  packets: number;
  lost: number;
  /** Payload bytes when werift decrypts; whole SRTP datagrams when counted from headers. */
  bytes: number;
  firstAt: number;
  lastAt: number;
  /** The highest sequence number seen so far; late or repeated packets do not move it. */
  lastSequence: number | undefined;
}

export function newStream(producerId: string, kind: 'audio' | 'video'): ReceivedStream {
  return { producerId, kind, packets: 0, lost: 0, bytes: 0, firstAt: 0, lastAt: 0, lastSequence: undefined };
}

/** Counts one packet; a forward jump of the 16-bit sequence number counts the packets skipped as lost. */
export function countPacket(stream: ReceivedStream, sequence: number, bytes: number, now: number): void {
  if (stream.packets === 0) stream.firstAt = now;
  stream.packets++;
  stream.bytes += bytes;
  stream.lastAt = now;
  if (stream.lastSequence === undefined) {
    stream.lastSequence = sequence;
    return;
  }
  const gap = (sequence - stream.lastSequence + 0x10000) % 0x10000;
  if (gap === 0 || gap >= 0x8000) return; // a repeat or a late packet
  stream.lost += gap - 1;
  stream.lastSequence = sequence;
}
