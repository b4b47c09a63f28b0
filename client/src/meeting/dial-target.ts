/**
 * What a host typed to call a phone, checked before it is sent against
 * `callable`: the rule the server checks (the view passes the protocol's
 * dialOut schema). A number may be written with spaces, dashes, dots or
 * slashes between its digits: they are taken out. Pure: no DOM, no words
 * (the view says what is wrong).
 */

/** Why a typed destination cannot be called: nothing typed, a malformed SIP address, or not a phone number. */
export type DialTargetProblem = 'empty' | 'sip' | 'number';

export type DialTarget = { ok: true; target: string } | { ok: false; problem: DialTargetProblem };

const SCHEME = /^sips?:/i;

export function parseDialTarget(typed: string, callable: (target: string) => boolean): DialTarget {
  const trimmed = typed.trim();
  if (!trimmed) return { ok: false, problem: 'empty' };
  const sip = SCHEME.test(trimmed);
  const target = sip ? trimmed.replace(SCHEME, (scheme) => scheme.toLowerCase()) : trimmed.replace(/[\s./-]/g, '');
  if (callable(target)) return { ok: true, target };
  return { ok: false, problem: sip ? 'sip' : 'number' };
}
