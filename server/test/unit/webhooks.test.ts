/**
 * The Webhooks class against a real HTTP receiver on loopback, with short
 * backoffs: strictly ordered, signed deliveries; retries; what is given up
 * (a 4xx, too old, a full queue) and counted; redirects not followed; and a
 * spool that outlives the process, torn last line included.
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, test } from 'node:test';
import { pino } from 'pino';
import type { LostReason } from '../../src/webhooks/delivery-queue.js';
import type { WebhookEvent } from '../../src/webhooks/events.js';
import { verifySignature } from '../../src/webhooks/signature.js';
import { Webhooks, type WebhooksOptions } from '../../src/webhooks/webhooks.js';
import { freePort } from '../../testkit/ports.js';
import { WebhookReceiver } from '../../testkit/webhook-receiver.js';
import { QUICK } from '../helpers/timeouts.js';

const SECRET = 'webhook-secret-0123456789-abcdefghijkl';
const dirs: string[] = [];
const started: Webhooks[] = [];
const receivers: WebhookReceiver[] = [];
after(async () => {
  for (const webhooks of started) webhooks.close();
  for (const receiver of receivers) await receiver.down();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function joined(peerId: string): WebhookEvent {
  return { type: 'participant.joined', data: { roomId: 'room-1', peerId, displayName: `Person ${peerId}`, role: 'participant' } };
}

/** Webhooks for one URL with short backoffs, a log kept as text, and what was given up. */
function webhooksFor(url: string, options: Partial<WebhooksOptions> = {}) {
  const log: string[] = [];
  const lost: LostReason[] = [];
  const spoolDir = options.spoolDir ?? mkdtempSync(path.join(tmpdir(), 'parley-webhooks-'));
  dirs.push(spoolDir);
  const stream = new Writable({ write: (chunk: Buffer, _encoding, done) => (log.push(chunk.toString()), done()) });
  const webhooks = new Webhooks({
    urls: [url],
    secret: SECRET,
    nodeId: 'node-a',
    spoolDir,
    logger: pino({ level: 'warn' }, stream),
    onLost: (reason) => lost.push(reason),
    initialBackoffMs: 20,
    maxBackoffMs: 100,
    requestTimeoutMs: 2_000,
    ...options,
  });
  started.push(webhooks);
  return { webhooks, log, lost, spoolDir };
}

async function receiver(port?: number): Promise<WebhookReceiver> {
  const started = await WebhookReceiver.start(port);
  receivers.push(started);
  return started;
}

test('events arrive signed and in order; a failing head holds back the rest until it is delivered', QUICK, async () => {
  const hooks = await receiver();
  let failuresLeft = 3;
  hooks.answer = () => (failuresLeft-- > 0 ? 500 : 200);
  const { webhooks } = webhooksFor(hooks.url);
  for (const peerId of ['p1', 'p2', 'p3', 'p4']) webhooks.send(joined(peerId));
  await hooks.until(() => hooks.accepted().length === 4, 'four deliveries');

  assert.deepEqual(hooks.requests.map((request) => JSON.parse(request.body).data.peerId), ['p1', 'p1', 'p1', 'p1', 'p2', 'p3', 'p4']);
  const accepted = hooks.accepted();
  assert.deepEqual(accepted.map((delivery) => delivery.sequence), [1, 2, 3, 4]);
  assert.equal(new Set(accepted.map((delivery) => delivery.id)).size, 4);
  const first = hooks.requests[0]!;
  assert.equal(first.path, '/hooks');
  assert.equal(first.headers['content-type'], 'application/json');
  assert.equal(first.headers['user-agent'], 'Parley-Webhooks');
  assert.equal(first.headers['parley-event-type'], 'participant.joined');
  assert.equal(first.headers['parley-event-id'], accepted[0]!.id);
  for (const request of hooks.requests) assert.ok(verifySignature(SECRET, request.headers['parley-signature'] as string, request.body), 'signed');
  assert.equal(first.body, hooks.requests[3]!.body, 'a retry sends the same body');
  assert.equal(accepted[0]!.node, 'node-a');
  assert.ok(Math.abs(Date.parse(accepted[0]!.createdAt) - Date.now()) < 60_000);
  assert.equal(await webhooks.flush(1_000), true);
});

test('a 4xx is given up at once and counted; a redirect is retried, never followed; 408 and 429 are retried', QUICK, async () => {
  const hooks = await receiver();
  const answers: Record<string, number[]> = { refused: [404], moved: [302, 302, 200], slow: [408, 429, 200] };
  hooks.answer = (request) => answers[JSON.parse(request.body).data.peerId]?.shift() ?? 200;
  const { webhooks, lost, log } = webhooksFor(hooks.url);
  for (const peerId of ['refused', 'moved', 'slow', 'last']) webhooks.send(joined(peerId));
  await hooks.until(() => hooks.accepted().length === 3, 'three deliveries');

  assert.deepEqual(hooks.requests.map((request) => [JSON.parse(request.body).data.peerId, request.status]), [
    ['refused', 404],
    ['moved', 302], ['moved', 302], ['moved', 200],
    ['slow', 408], ['slow', 429], ['slow', 200],
    ['last', 200],
  ]);
  assert.ok(hooks.requests.every((request) => request.path === '/hooks'), 'no request followed the redirect');
  assert.deepEqual(lost, ['rejected']);
  assert.match(log.join(''), /"status":404.*webhook event given up/);
  assert.equal(await webhooks.flush(5_000), true);
  assert.equal(webhooks.pending(), 0);
});

test('a delivery still failing past the maximum age is given up, and the next one goes', QUICK, async () => {
  const hooks = await receiver();
  hooks.answer = (request) => (JSON.parse(request.body).data.peerId === 'doomed' ? 503 : 200);
  const { webhooks, lost } = webhooksFor(hooks.url, { maxAgeMs: 150 });
  webhooks.send(joined('doomed'));
  webhooks.send(joined('fine'));
  await hooks.until(() => hooks.accepted().length === 1, 'the second delivery');
  assert.deepEqual(lost, ['expired']);
  assert.ok(hooks.requests.some((request) => request.status === 503), 'tried before it was given up');
  assert.equal(hooks.accepted()[0]!.data['peerId'], 'fine');
});

test('a full queue drops its oldest, counts it, and delivers the rest in order', QUICK, async () => {
  const port = await freePort();
  const { webhooks, lost } = webhooksFor(`http://127.0.0.1:${port}/hooks`, { maxQueue: 3 });
  for (const peerId of ['p1', 'p2', 'p3', 'p4', 'p5']) webhooks.send(joined(peerId));
  assert.deepEqual(lost, ['overflow', 'overflow']);
  assert.equal(webhooks.pending(), 3);
  assert.equal(await webhooks.flush(100), false, 'nothing can be delivered while the receiver is down');
  const hooks = await receiver(port);
  await hooks.until(() => hooks.accepted().length === 3, 'three deliveries');
  assert.deepEqual(hooks.accepted().map((delivery) => delivery.data['peerId']), ['p3', 'p4', 'p5']);
});

test('what was not delivered outlives the process, a torn last line is skipped, and the sequence goes on', QUICK, async () => {
  const port = await freePort();
  const hooks = await receiver(port);
  const url = `http://127.0.0.1:${port}/hooks`;
  const first = webhooksFor(url);
  first.webhooks.send(joined('delivered'));
  await hooks.until(() => hooks.accepted().length === 1, 'the first delivery');
  assert.equal(await first.webhooks.flush(5_000), true, 'the sender has seen the answer');
  await hooks.down();
  for (const peerId of ['p2', 'p3', 'p4']) first.webhooks.send(joined(peerId));
  first.webhooks.close(); // as if killed: nothing more is sent
  const spool = readdirSync(first.spoolDir).find((name) => name.endsWith('.jsonl'))!;
  assert.match(spool, /^[0-9a-f]{16}\.jsonl$/);
  appendFileSync(path.join(first.spoolDir, spool), '{"id":"torn-by-a-cra');

  await hooks.up();
  const second = webhooksFor(url, { spoolDir: first.spoolDir });
  assert.match(second.log.join(''), /skipped a damaged line of the webhook spool/);
  second.webhooks.send(joined('p5'));
  await hooks.until(() => hooks.accepted().length === 5, 'everything after the restart');
  assert.deepEqual(hooks.accepted().map((delivery) => [delivery.data['peerId'], delivery.sequence]), [
    ['delivered', 1], ['p2', 2], ['p3', 3], ['p4', 4], ['p5', 5],
  ]);
  assert.equal(await second.webhooks.flush(1_000), true);
  assert.equal(readFileSync(path.join(first.spoolDir, spool), 'utf8'), '', 'an empty queue leaves an empty spool');
});

test('send never throws, whatever it is given', QUICK, async () => {
  const { webhooks, log } = webhooksFor(`http://127.0.0.1:${await freePort()}/hooks`);
  const circular: Record<string, unknown> = { roomId: 'room-1' };
  circular['self'] = circular;
  assert.doesNotThrow(() => webhooks.send({ type: 'room.started', data: circular as { roomId: string } }));
  assert.match(log.join(''), /could not queue a webhook event/);
  assert.equal(webhooks.pending(), 0);
});
