/**
 * Who is asking, and from which page: the client address for per-address
 * limits, and the Origin check shared by the signalling WebSocket and the
 * room API. Both work on the raw Node request, so the upgrade handler (which
 * runs outside Fastify) and the Fastify routes decide alike.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

/** The last entry of a comma-separated proxy header: the one our own proxy added. */
function lastEntry(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header.at(-1) : header;
  const last = value?.split(',').at(-1)?.trim();
  return last || undefined;
}

/**
 * The connecting client's address: the socket's, or, behind a trusted proxy,
 * the one the proxy appended to X-Forwarded-For (earlier entries are
 * whatever the client claimed, so they are never used).
 */
export function clientAddress(request: IncomingMessage, trustProxy: boolean): string {
  return (trustProxy && lastEntry(request.headers['x-forwarded-for'])) || request.socket.remoteAddress || 'unknown';
}

/** `scheme://host[:port]` normalised as browsers send it (lower case, no default port), or undefined when not an http(s) origin. */
export function normaliseOrigin(origin: string): string | undefined {
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The origin the browser addressed this server by: the scheme of the
 * connection (or the proxy's X-Forwarded-Proto when trusted) and the Host
 * header (or X-Forwarded-Host when trusted).
 */
export function ownOrigin(request: IncomingMessage, trustProxy: boolean): string | undefined {
  const encrypted = (request.socket as Partial<TLSSocket>).encrypted === true;
  const proto = (trustProxy && lastEntry(request.headers['x-forwarded-proto'])) || (encrypted ? 'https' : 'http');
  const host = (trustProxy && lastEntry(request.headers['x-forwarded-host'])) || request.headers.host;
  if (!host || (proto !== 'http' && proto !== 'https')) return undefined;
  return normaliseOrigin(`${proto}://${host}`);
}

export interface OriginPolicy {
  /** Further origins whose pages may use this server (PARLEY_ALLOWED_ORIGINS). */
  allowedOrigins: string[];
  /** PARLEY_PUBLIC_URL: its origin is this server's own too. */
  publicUrl?: string | undefined;
  trustProxy: boolean;
}

/**
 * Whether a browser page may use this server: requests without Origin are
 * not from a page (curl, other servers) and pass; a page's origin must match
 * this server's own, scheme, host and port, or be one of the allowed origins.
 */
export function originAllowed(request: IncomingMessage, policy: OriginPolicy): boolean {
  const header = request.headers.origin;
  if (header === undefined) return true;
  const origin = normaliseOrigin(header);
  if (origin === undefined) return false; // "null" (sandboxed frames, file:) and anything unparsable
  const own = [ownOrigin(request, policy.trustProxy), policy.publicUrl, ...policy.allowedOrigins];
  return own.some((candidate) => candidate !== undefined && normaliseOrigin(candidate) === origin);
}
