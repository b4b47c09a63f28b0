/**
 * The first line of defence of the WHIP/WHEP SDP parsers: the error type
 * they all throw, the sanitiser that keeps the client's words out of logs,
 * the checks on the raw text before any parser sees it, and the grammars
 * (RFC 8839, 8122, 8843, 8851) of the values Parley takes from an offer.
 */

export class SdpError extends Error {
  constructor(
    /** 400 for SDP that is malformed or breaks a rule; 406 for SDP Parley understands but has no codec for. */
    readonly status: 400 | 406,
    /** A short plain-English reason, safe to show to the client and to log. */
    message: string,
  ) {
    super(message);
  }
}

export const MAX_SDP_BYTES = 64 * 1024;
export const MAX_LINE_LENGTH = 4096;
export const MAX_MEDIA_SECTIONS = 8;
export const MAX_CODECS_PER_MEDIA = 64;

/**
 * The client's text as it may appear in a reason: the characters SDP's own
 * tokens are made of (no quotes, brackets or markup), at most `limit` of them.
 */
export function quote(value: unknown, limit = 60): string {
  const printable = String(value).replace(/[^A-Za-z0-9 _.:/=+#;,@*-]/g, '?');
  return printable.length > limit ? `${printable.slice(0, limit)}…` : printable;
}

/** Splits SDP (or an RFC 8840 fragment) into lines, refusing what no parser should have to read. */
export function safeLines(text: unknown, what: string): string[] {
  if (typeof text !== 'string') throw new SdpError(400, `the ${what} is not text`);
  if (Buffer.byteLength(text) > MAX_SDP_BYTES) throw new SdpError(400, `the ${what} is larger than 64 KiB`);
  if (/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(text)) throw new SdpError(400, `the ${what} contains control characters`);
  const lines = text.split(/\r\n|\r|\n/);
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  for (const [index, line] of lines.entries()) {
    if (line.length > MAX_LINE_LENGTH) throw new SdpError(400, `line ${index + 1} of the ${what} is longer than 4 KiB`);
    if (!/^[a-z]=/.test(line)) throw new SdpError(400, `line ${index + 1} of the ${what} is not "x=value": ${quote(line)}`);
  }
  return lines;
}

/** The raw checks on a whole offer: `v=0` first, at most 8 m-lines of at most 64 formats each. */
export function checkOfferText(sdp: unknown): string[] {
  const lines = safeLines(sdp, 'offer');
  if (lines[0] !== 'v=0') throw new SdpError(400, 'the offer does not start with v=0');
  const mediaLines = lines.filter((line) => line.startsWith('m='));
  if (mediaLines.length > MAX_MEDIA_SECTIONS) throw new SdpError(400, `the offer has more than ${MAX_MEDIA_SECTIONS} m-lines`);
  for (const line of mediaLines) {
    const formats = line.trim().split(/\s+/).length - 3;
    if (formats < 1) throw new SdpError(400, `an m-line has no formats: ${quote(line)}`);
    if (formats > MAX_CODECS_PER_MEDIA) throw new SdpError(400, `an m-line offers more than ${MAX_CODECS_PER_MEDIA} formats`);
  }
  return lines;
}

/** RFC 8839 ice-char: ALPHA / DIGIT / "+" / "/". */
export const ICE_UFRAG = /^[A-Za-z0-9+/]{4,256}$/;
export const ICE_PWD = /^[A-Za-z0-9+/]{22,256}$/;
/** RFC 4566 token, limited to 32 characters (RFC 8843 identification-tag). */
export const MID = /^[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]{1,32}$/;
/** RFC 8851 rid-id, limited to 16 characters. */
export const RID = /^[A-Za-z0-9_-]{1,16}$/;
/** SDP tokens Parley repeats: m-line types and protocols, codec names, fmtp keys, rtcp-fb types. */
export const NAME = /^[A-Za-z0-9_.+/-]{1,32}$/;
/** A CNAME or msid part: printable, no spaces, so it cannot break a line it is written into. */
export const LABEL = /^[\x21-\x7e]{1,64}$/;

const HASH_BYTES: Record<string, number> = { 'sha-1': 20, 'sha-256': 32, 'sha-384': 48, 'sha-512': 64 };

/** The value of an `a=fingerprint:` line (RFC 8122) as mediasoup takes it, or undefined for a hash Parley does not take. */
export function readFingerprint(value: string): { algorithm: 'sha-1' | 'sha-256' | 'sha-384' | 'sha-512'; value: string } | undefined {
  const match = /^(\S+) ([0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2})*)$/.exec(value);
  if (!match) throw new SdpError(400, `malformed fingerprint: ${quote(value)}`);
  const algorithm = match[1]!.toLowerCase();
  const bytes = HASH_BYTES[algorithm];
  if (bytes === undefined) return undefined;
  if (match[2]!.length !== bytes * 3 - 1) throw new SdpError(400, `the ${algorithm} fingerprint has the wrong length`);
  return { algorithm: algorithm as 'sha-1' | 'sha-256' | 'sha-384' | 'sha-512', value: match[2]!.toUpperCase() };
}

/** A whole number within bounds, from sdp-transform's output (which may be a number or a string). */
export function integerIn(value: unknown, min: number, max: number): number | undefined {
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(number) && number >= min && number <= max ? number : undefined;
}
