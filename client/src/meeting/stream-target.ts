/**
 * What a host typed as the live stream's destination, checked before it is
 * sent against `streamable`: the rule the server checks (the view passes
 * the protocol's startStreaming schema). Spaces around it are taken off and
 * the scheme is lower-cased ("RTMP://" is fine). Pure: no DOM, no words
 * (the view says what is wrong).
 */

/** Why a typed URL cannot be streamed to: nothing typed, not RTMP or RTMPS, or not a URL of the form the server takes. */
export type StreamTargetProblem = 'empty' | 'scheme' | 'form';

export type StreamTarget = { ok: true; url: string } | { ok: false; problem: StreamTargetProblem };

const SCHEME = /^rtmps?:\/\//i;

export function parseStreamTarget(typed: string, streamable: (url: string) => boolean): StreamTarget {
  const trimmed = typed.trim();
  if (!trimmed) return { ok: false, problem: 'empty' };
  if (!SCHEME.test(trimmed)) return { ok: false, problem: 'scheme' };
  const url = trimmed.replace(SCHEME, (scheme) => scheme.toLowerCase());
  return streamable(url) ? { ok: true, url } : { ok: false, problem: 'form' };
}
