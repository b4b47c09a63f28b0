/**
 * The WHIP and WHEP endpoints over real HTTP, against what a careless or
 * hostile client sends: each mistake gets its status and Parley's own
 * sentence (never the client's input back), nothing is left behind, and
 * a good offer afterwards still works. PATCH answers trickle with 204, an
 * ICE restart with new credentials and a new ETag, a stale ETag with 412;
 * PATCH and DELETE need the token that made the session.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createRoom } from '../../testkit/parley.js';
import { waitUntil } from '../../testkit/wait.js';
import { serverFixture } from '../helpers/meeting-fixture.js';
import { chromeWhep, chromeWhip, noCodecWhip } from '../helpers/whip-offers.js';
import { SERVER } from '../helpers/timeouts.js';

// Behind a trusted proxy, each request says its own address: the per-address limits stay out of these tests' way.
const fixture = serverFixture({ PARLEY_TRUST_PROXY: 'true' });
let requests = 0;

interface Reply {
  status: number;
  text: string;
  headers: Headers;
}

async function send(path: string, init: { method?: string; token?: string; type?: string; body?: string; ifMatch?: string; from?: string } = {}): Promise<Reply> {
  requests++;
  const headers: Record<string, string> = { 'x-forwarded-for': init.from ?? `10.${(requests >> 16) & 255}.${(requests >> 8) & 255}.${requests & 255}` };
  if (init.token !== undefined) headers['authorization'] = `Bearer ${init.token}`;
  if (init.type !== undefined) headers['content-type'] = init.type;
  if (init.ifMatch !== undefined) headers['if-match'] = init.ifMatch;
  const response = await fetch(`${fixture.parley.url}${path}`, { method: init.method ?? 'POST', headers, body: init.body, signal: AbortSignal.timeout(10_000) });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

const SDP = 'application/sdp';

test('every bad WHIP or WHEP request gets its status and a reason, and a good one still works after', SERVER, async () => {
  const { parley } = fixture;
  const room = await createRoom(parley, { lobby: true });
  const { key } = await parley.meetings.streamKeys.create(room.id, 'OBS — Studio A');
  const viewer = await parley.meetings.viewerToken(room.id);
  const whip = `/whip/${room.id}`;
  const whep = `/whep/${room.id}`;

  const cases: [string, Promise<Reply>, number, RegExp][] = [
    ['no token', send(whip, { type: SDP, body: chromeWhip }), 401, /Authorization: Bearer/],
    ['a token of another scheme', send(whip, { type: SDP, body: chromeWhip, token: '' }), 401, /token is required/],
    ['a wrong stream key', send(whip, { type: SDP, body: chromeWhip, token: `${key.slice(0, -4)}AAAA` }), 403, /not one of the meeting/],
    ['a viewer token to publish', send(whip, { type: SDP, body: chromeWhip, token: viewer }), 403, /not one of the meeting/],
    ['a stream key to watch', send(whep, { type: SDP, body: chromeWhep, token: key }), 403, /not valid/],
    ['an unknown room', send('/whip/AAAAAAAAAAAAAAAAAAAAAA', { type: SDP, body: chromeWhip, token: key }), 404, /no such meeting/],
    ['a room id that is no room id', send('/whip/..%2F..%2Fetc', { type: SDP, body: chromeWhip, token: key }), 404, /no such meeting/],
    ['malformed SDP', send(whip, { type: SDP, body: 'v=0\r\nthis is not <script>sdp</script>\r\n', token: key }), 400, /./],
    ['a watch offer to publish', send(whip, { type: SDP, body: chromeWhep, token: key }), 400, /sendonly or sendrecv/],
    ['no codec Parley takes', send(whip, { type: SDP, body: noCodecWhip, token: key }), 406, /no supported codec/],
    ['not SDP', send(whip, { type: 'application/json', body: JSON.stringify({ sdp: chromeWhip }), token: key }), 415, /application\/sdp/],
    ['an offer over 64 KiB', send(whip, { type: SDP, body: `${chromeWhip}a=x-pad:${'x'.repeat(70_000)}\r\n`, token: key }), 413, /./],
  ];
  for (const [what, reply, status, reason] of cases) {
    const { status: got, text } = await reply;
    assert.equal(got, status, `${what}: ${text}`);
    assert.match(text, reason, what);
    assert.ok(!text.includes('<script>'), `${what}: the client's input is not echoed`);
  }
  const unauthorized = await send(whip, { type: SDP, body: chromeWhip });
  assert.equal(unauthorized.headers.get('www-authenticate'), 'Bearer');
  // One address offers 30 times a minute at most, whatever the offers are.
  const burst = await Promise.all(Array.from({ length: 31 }, () => send(whip, { type: SDP, body: chromeWhip, from: '192.0.2.7' })));
  assert.deepEqual([...new Set(burst.map((reply) => reply.status))].sort(), [401, 429]);
  assert.equal(burst.filter((reply) => reply.status === 429).length, 1);
  assert.equal(parley.whip.size, 0, 'no refused request left a session');

  // A good offer still works, and answers as RFC 9725 asks.
  const published = await send(whip, { type: SDP, body: chromeWhip, token: key });
  assert.equal(published.status, 201, published.text);
  assert.equal(published.headers.get('content-type'), SDP);
  assert.equal(published.headers.get('access-control-expose-headers'), 'Location, ETag, Accept-Patch');
  assert.match(published.text, /^v=0\r\n/);
  assert.match(published.text, /a=ice-lite/);
  const location = published.headers.get('location')!;
  const etag = published.headers.get('etag')!;

  // PATCH: trickled candidates are taken and dropped; a stale ETag is refused; an ICE restart answers anew.
  const trickle = 'a=ice-ufrag:' + /a=ice-ufrag:(\S+)/.exec(chromeWhip)![1] + '\r\na=ice-pwd:' + /a=ice-pwd:(\S+)/.exec(chromeWhip)![1] + '\r\n';
  const patch = { method: 'PATCH', type: 'application/trickle-ice-sdpfrag', token: key };
  assert.equal((await send(location, { ...patch, token: undefined, body: trickle })).status, 401, 'PATCH needs the token');
  assert.equal((await send(location, { ...patch, token: viewer, body: trickle })).status, 403, "PATCH needs the session's own token");
  assert.equal((await send(location, { ...patch, body: 'a=mid:0\r\na=candidate:1 1 udp 2113937151 192.0.2.1 50000 typ host\r\n', ifMatch: etag })).status, 204);
  assert.equal((await send(location, { ...patch, body: trickle, ifMatch: '"stale"' })).status, 412);
  const restart = await send(location, { ...patch, body: trickle.replace(/ice-ufrag:\S+/, 'ice-ufrag:Fresh').replace(/ice-pwd:\S+/, 'ice-pwd:FreshPasswordOfEnoughLength'), ifMatch: '*' });
  assert.equal(restart.status, 200, restart.text);
  assert.notEqual(restart.headers.get('etag'), etag, 'the ETag changes with the ICE credentials');
  assert.match(restart.text, /a=ice-ufrag:/);
  assert.equal((await send(location, { ...patch, type: SDP, body: chromeWhip })).status, 415);

  assert.equal((await send(location, { method: 'DELETE' })).status, 401, 'DELETE needs the token');
  assert.equal((await send(location, { method: 'DELETE', token: viewer })).status, 403, "DELETE needs the session's own token");
  assert.equal((await send(location, { method: 'DELETE', token: key })).status, 200);
  assert.equal((await send(location, { method: 'DELETE', token: key })).status, 404);
  assert.equal(parley.whip.size, 0);

  // WHEP with a guest's lobby ticket is refused; with the viewer token it works.
  const ticket = await parley.credentials.issue(room.id, 'guest');
  assert.equal((await send(whep, { type: SDP, body: chromeWhep, token: ticket })).status, 403);
  // A viewer link is shared: a second player with the same token does not push out the first.
  const watching = await send(whep, { type: SDP, body: chromeWhep, token: viewer });
  const second = await send(whep, { type: SDP, body: chromeWhep, token: viewer });
  assert.equal(watching.status, 201, watching.text);
  assert.equal(second.status, 201, second.text);
  assert.equal(parley.whip.size, 2, 'both players watch');
  for (const player of [watching, second]) assert.equal((await send(player.headers.get('location')!, { method: 'DELETE', token: viewer })).status, 200);
});

test('random bytes and mangled offers never get more than a 4xx, and the server stays up', SERVER, async () => {
  const { parley } = fixture;
  const room = await createRoom(parley, { lobby: false });
  const { key } = await parley.meetings.streamKeys.create(room.id, 'Fuzz');
  const lines = chromeWhip.split('\r\n');
  const mangled = fc.oneof(
    fc.string({ maxLength: 2_000 }),
    fc.array(fc.nat({ max: lines.length - 1 }), { minLength: 1, maxLength: 6 }).map((drop) => lines.filter((_, index) => !drop.includes(index)).join('\r\n')),
    fc.tuple(fc.nat({ max: lines.length - 1 }), fc.string({ maxLength: 300 })).map(([index, text]) => lines.map((line, at) => (at === index ? text : line)).join('\r\n')),
  );
  await fc.assert(
    fc.asyncProperty(mangled, async (body) => {
      const reply = await send(`/whip/${room.id}`, { type: SDP, body, token: key });
      if (reply.status === 201) await send(reply.headers.get('location')!, { method: 'DELETE', token: key });
      else assert.ok(reply.status >= 400 && reply.status < 500 && reply.status !== 429, `${reply.status}: ${reply.text}`);
    }),
    { numRuns: 150 },
  );
  assert.equal(parley.whip.size, 0, 'nothing was left behind');
  assert.equal((await fetch(`${parley.url}/healthz`)).status, 200);
});

test('a removed stream or player stays out: the key and the viewer link they came with are revoked', SERVER, async () => {
  const { parley } = fixture;
  const room = await createRoom(parley, { lobby: false });
  const { key } = await parley.meetings.streamKeys.create(room.id, 'Encoder');
  const viewer = await parley.meetings.viewerToken(room.id);
  const published = await send(`/whip/${room.id}`, { type: SDP, body: chromeWhip, token: key });
  const watching = await send(`/whep/${room.id}`, { type: SDP, body: chromeWhep, token: viewer });
  assert.equal(published.status, 201, published.text);
  assert.equal(watching.status, 201, watching.text);
  const meeting = await parley.meetings.live(room.id);
  const [stream, player] = meeting!.roster.joined();
  assert.deepEqual([stream!.kind, player!.kind], ['stream', 'viewer']);
  await assert.rejects(meeting!.command(stream!, player!.id, 'makePanelist'), /only watches/, 'a player cannot join the panel');

  await meeting!.removeByServer(stream!.id);
  await meeting!.removeByServer(player!.id);
  await waitUntil(async () => parley.whip.size, (size) => size === 0, 10_000, 'both sessions to end');
  assert.deepEqual(await parley.meetings.streamKeys.list(room.id), [], 'the removed stream took its key');
  assert.equal((await send(`/whip/${room.id}`, { type: SDP, body: chromeWhip, token: key })).status, 403, 'the encoder reconnecting is refused');
  assert.equal((await send(`/whep/${room.id}`, { type: SDP, body: chromeWhep, token: viewer })).status, 403, 'the viewer link is revoked');
});

test('one address holds 20 sessions at most, even when it asks for more all at once', SERVER, async () => {
  const { parley } = fixture;
  const room = await createRoom(parley, { lobby: false });
  const viewer = await parley.meetings.viewerToken(room.id);
  const replies = await Promise.all(Array.from({ length: 22 }, () => send(`/whep/${room.id}`, { type: SDP, body: chromeWhep, token: viewer, from: '192.0.2.9' })));
  assert.deepEqual(
    replies.map((reply) => reply.status).sort(),
    [...Array<number>(20).fill(201), 429, 429],
  );
  for (const reply of replies.filter((one) => one.status === 201)) {
    assert.equal((await send(reply.headers.get('location')!, { method: 'DELETE', token: viewer })).status, 200);
  }
  assert.equal(parley.whip.size, 0);
});
