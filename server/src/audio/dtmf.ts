/**
 * DTMF digits from a phone, both ways a SIP phone may send them.
 *
 * In the media: RFC 4733 telephone-event packets. One key press is one event
 * with one RTP timestamp; it arrives as a run of packets (the start, updates,
 * then the end packet usually three times), any of which may be lost. The
 * receiver reports each digit once, on the first packet it sees with a new
 * event timestamp, whether or not that is the start.
 *
 * In signalling: SIP INFO with `application/dtmf-relay` ("Signal=5" and
 * "Duration=160" lines) or `application/dtmf` (just "5").
 */

/** RFC 4733 events 0-15 in order. */
const EVENT_DIGITS = '0123456789*#ABCD';
/** Event timestamps remembered, for end packets that straggle in after the next event began. */
const REMEMBERED_EVENTS = 8;

export interface TelephoneEventPacket {
  timestamp: number;
  payload: Uint8Array;
}

export class DtmfReceiver {
  private readonly recent: number[] = [];

  /** The digit this packet starts, or undefined for a repeat, a non-digit event or a malformed payload. */
  push(packet: TelephoneEventPacket): string | undefined {
    // event (8 bits), E/R/volume (8 bits), duration (16 bits)
    if (packet.payload.length < 4) return undefined;
    const digit = EVENT_DIGITS[packet.payload[0]!];
    if (digit === undefined) return undefined;
    const timestamp = packet.timestamp >>> 0;
    if (this.recent.includes(timestamp)) return undefined;
    this.recent.push(timestamp);
    if (this.recent.length > REMEMBERED_EVENTS) this.recent.shift();
    return digit;
  }
}

const MAX_INFO_BODY = 256;
/** A signal as a character, or as an event number (some phones send 10 for * and 11 for #). */
function digitOfSignal(signal: string): string | undefined {
  if (/^[0-9*#A-Da-d]$/.test(signal)) return signal.toUpperCase();
  if (/^1[0-5]$/.test(signal)) return EVENT_DIGITS[Number(signal)];
  return undefined;
}

/**
 * The digit in a SIP INFO body, or undefined when the content type is not a
 * DTMF one or the body is anything but a well-formed single digit.
 */
export function parseDtmfInfo(contentType: string, body: string): string | undefined {
  if (body.length > MAX_INFO_BODY) return undefined;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === 'application/dtmf') return digitOfSignal(body.trim());
  if (type !== 'application/dtmf-relay') return undefined;
  let digit: string | undefined;
  for (const line of body.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const match = /^\s*([A-Za-z-]+)\s*=\s*(\S+)\s*$/.exec(line);
    if (match === null) return undefined;
    const key = match[1]!.toLowerCase();
    const value = match[2]!;
    if (key === 'signal') {
      if (digit !== undefined) return undefined;
      digit = digitOfSignal(value);
      if (digit === undefined) return undefined;
    } else if (key === 'duration' && !/^\d{1,6}$/.test(value)) {
      return undefined;
    }
  }
  return digit;
}
