/** Signed node-to-node requests (see internal-auth.ts). */
import { SIGNATURE_HEADER, sign } from './internal-auth.js';

const TIMEOUT_MS = 5_000;

export async function postInternal<T>(baseUrl: string, path: string, body: object, secret: string): Promise<T> {
  const json = JSON.stringify(body);
  const response = await fetch(new URL(path, baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: sign(secret, json) },
    body: json,
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`${path} on ${baseUrl} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}
