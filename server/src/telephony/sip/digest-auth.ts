/**
 * SIP digest authentication (RFC 3261 §22, RFC 2617) of callers outside the
 * allowed networks, with the `sip` package's digest code. Each challenge's
 * nonce is remembered for a minute (at most MAX_NONCES at once, the oldest
 * forgotten first), so an answer is checked against a nonce this server
 * issued, for a user it knows.
 */
import sip, { type SipRequest, type SipResponse } from 'sip';
import digest, { type DigestContext } from 'sip/digest.js';

const REALM = 'parley';
const NONCE_TTL_MS = 60_000;
const MAX_NONCES = 1_000;

export type DigestOutcome = 'authenticated' | 'no-credentials' | 'wrong-credentials';

export class DigestAuthenticator {
  private readonly nonces = new Map<string, { context: DigestContext; expires: number }>();

  /** `accounts`: user name → password. */
  constructor(private readonly accounts: ReadonlyMap<string, string>) {}

  /** A 401 for `request`, with a fresh challenge. */
  challenge(request: SipRequest): SipResponse {
    const context: DigestContext = { realm: REALM };
    const response = digest.challenge(context, sip.makeResponse(request, 401, 'Unauthorized'));
    this.nonces.set(String(context['nonce']), { context, expires: Date.now() + NONCE_TTL_MS });
    while (this.nonces.size > MAX_NONCES) this.nonces.delete(this.nonces.keys().next().value!);
    return response;
  }

  check(request: SipRequest): DigestOutcome {
    const answers = request.headers['authorization'];
    if (!Array.isArray(answers) || answers.length === 0) return 'no-credentials';
    const answer = answers.find((candidate: Record<string, string | undefined>) => unquote(candidate['realm']) === REALM) as
      | Record<string, string | undefined>
      | undefined;
    const issued = this.nonces.get(unquote(answer?.['nonce']));
    const password = this.accounts.get(unquote(answer?.['username']));
    if (!answer || !issued || issued.expires < Date.now() || password === undefined) return 'wrong-credentials';
    try {
      return digest.authenticateRequest(issued.context, request, { user: unquote(answer['username']), password }) ? 'authenticated' : 'wrong-credentials';
    } catch {
      // A malformed Authorization (an unknown qop, say) is a wrong one.
      return 'wrong-credentials';
    }
  }
}

const unquote = (value: string | undefined) => (value ?? '').replace(/^"(.*)"$/, '$1');

/** PARLEY_SIP_ACCOUNTS: "user:password,user:password". */
export function parseAccounts(setting: string | undefined): Map<string, string> {
  const accounts = new Map<string, string>();
  for (const entry of setting ? setting.split(',') : []) {
    const colon = entry.indexOf(':');
    accounts.set(entry.slice(0, colon), entry.slice(colon + 1));
  }
  return accounts;
}
