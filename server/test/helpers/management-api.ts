/** Calls to the HTTP API for tests: one request, bounded in time, its status, JSON body and headers. */
import assert from 'node:assert/strict';
import { TestSocket } from '../../testkit/ws-client.js';

export interface ApiAnswer {
  status: number;
  /** The parsed JSON body; undefined when there is none (202, 204). */
  body: any;
  headers: Headers;
}

export async function callApi(baseUrl: string, method: string, path: string, options: { key?: string; body?: unknown } = {}): Promise<ApiAnswer> {
  const headers: Record<string, string> = {};
  if (options.key !== undefined) headers['authorization'] = `Bearer ${options.key}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}

/** A signalling client that joined `roomId` (or waits in its lobby); `sockets` collects it for closing. */
export async function joinOver(baseUrl: string, roomId: string, displayName: string, sockets: TestSocket[], credential?: string) {
  const socket = await TestSocket.open(baseUrl, roomId);
  sockets.push(socket);
  const caps = await socket.request('getRouterRtpCapabilities');
  const answer = await socket.request('join', { displayName, rtpCapabilities: caps.data.rtpCapabilities, ...(credential ? { credential } : {}) });
  assert.equal(answer.ok, true, JSON.stringify(answer.error));
  return { socket, peerId: answer.data.peerId as string, credential: answer.data.credential as string, status: answer.data.status as string };
}
