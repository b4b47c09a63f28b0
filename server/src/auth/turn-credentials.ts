/**
 * Short-lived TURN credentials in the TURN REST API style that coturn
 * checks with use-auth-secret: the username is "expiry:peerId", the password
 * HMAC-SHA1(secret, username) in base64. No TURN password is ever stored.
 */
import { createHmac } from 'node:crypto';

export interface IceServer {
  urls: string[];
  username: string;
  credential: string;
}

export function turnCredentials(urls: string[], secret: string, peerId: string, ttlSeconds: number, now = Date.now()): IceServer {
  const username = `${Math.floor(now / 1000) + ttlSeconds}:${peerId}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { urls, username, credential };
}
