/**
 * Signed download links (auth/signed-links.ts) and the route that honours
 * them (http/recording-routes.ts): a link works for its one path until it
 * expires; a changed path, expiry or signature does not. The route serves
 * only a recording's own files: a link for one file, room or recording does
 * not open another, and no spelling of `..` or an encoded slash reaches
 * anything else, even under a signature made with the real secret.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import { checkSignedPath, signPath } from '../../src/auth/signed-links.js';
import { registerRecordingRoutes } from '../../src/http/recording-routes.js';
import { QUICK } from '../helpers/timeouts.js';

const SECRET = 'links-secret-0123456789-abcdefghijklmnop';
const NOW = Date.parse('2026-03-01T12:00:00Z');
const HOUR = 3_600_000;

const query = (link: string) => new URLSearchParams(link.slice(link.indexOf('?') + 1));
const parts = (link: string) => ({ path: link.slice(0, link.indexOf('?')), expires: Number(query(link).get('expires')), signature: query(link).get('signature')! });

test('a signed path checks out until it expires, and not after', QUICK, () => {
  const link = signPath(SECRET, '/recordings/room/rec/recording.mp4', NOW + HOUR);
  assert.match(link, /^\/recordings\/room\/rec\/recording\.mp4\?expires=\d+&signature=[A-Za-z0-9_-]{43}$/);
  const { path: signed, expires, signature } = parts(link);
  assert.equal(expires, (NOW + HOUR) / 1000);
  assert.equal(checkSignedPath(SECRET, signed, expires, signature, NOW), undefined);
  assert.equal(checkSignedPath(SECRET, signed, expires, signature, NOW + HOUR), undefined, 'the last millisecond');
  assert.equal(checkSignedPath(SECRET, signed, expires, signature, NOW + HOUR + 1000), 'expired');
});

test('a changed path, expiry, signature or secret is a forgery', QUICK, () => {
  const { path: signed, expires, signature } = parts(signPath(SECRET, '/recordings/room/rec/recording.mp4', NOW + HOUR));
  assert.equal(checkSignedPath(SECRET, '/recordings/room/rec/manifest.json', expires, signature, NOW), 'forged');
  assert.equal(checkSignedPath(SECRET, '/recordings/other/rec/recording.mp4', expires, signature, NOW), 'forged');
  assert.equal(checkSignedPath(SECRET, signed, expires + 1, signature, NOW), 'forged', 'a later expiry');
  assert.equal(checkSignedPath('another-secret-0123456789-abcdefghijklmn', signed, expires, signature, NOW), 'forged');
  const flipped = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
  for (const mangled of [flipped, signature.slice(1), `${signature}A`, '', signature.toLowerCase()]) {
    if (mangled === signature) continue;
    assert.equal(checkSignedPath(SECRET, signed, expires, mangled, NOW), 'forged', `signature ${mangled}`);
  }
  // An expired forgery is called forged, not expired: nothing about the link is believed.
  assert.equal(checkSignedPath(SECRET, signed, expires - 10_000, signature, NOW), 'forged');
});

const ROOM = 'AbCdEfGhIjKlMnOpQrStUv';
const OTHER_ROOM = 'ZyXwVuTsRqPoNmLkJiHgFe';
const RECORDING = '0f8fad5b-d9cb-469f-a165-70867728950e';
const OTHER_RECORDING = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
let root: string;
let app: FastifyInstance;

before(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'parley-links-'));
  const recordings = path.join(root, 'recordings');
  const files: Record<string, string> = {
    [`${ROOM}/${RECORDING}/recording.mp4`]: 'the composite',
    [`${ROOM}/${RECORDING}/manifest.json`]: '{"tracks":[]}',
    [`${ROOM}/${RECORDING}/tracks/1-camera.mkv`]: 'a camera',
    [`${ROOM}/${RECORDING}/info.json`]: '{"internal":true}',
    [`${ROOM}/${RECORDING}/recording.mp4.part`]: 'half a composite',
    [`${ROOM}/${RECORDING}/capture/1-camera.rtp`]: 'raw media',
    [`${ROOM}/${OTHER_RECORDING}/recording.mp4`]: 'another recording',
    [`${OTHER_ROOM}/${RECORDING}/recording.mp4`]: "another room's recording",
  };
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(recordings, file)), { recursive: true });
    await writeFile(path.join(recordings, file), content);
  }
  await writeFile(path.join(root, 'secret.txt'), 'outside the recordings');
  app = Fastify();
  await app.register(fastifyStatic, { root: path.join(root, 'unused'), serve: false });
  registerRecordingRoutes(app, { dir: recordings, secret: SECRET });
  await app.ready();
}, QUICK);
after(async () => {
  await app.close();
  await rm(root, { recursive: true, force: true });
}, QUICK);

const link = (file: string, room = ROOM, recording = RECORDING, expiresAt = Date.now() + HOUR) => signPath(SECRET, `/recordings/${room}/${recording}/${file}`, expiresAt);
const get = (url: string) => app.inject({ method: 'GET', url });

test('the route serves a signed file, privately, as an attachment', QUICK, async () => {
  const answer = await get(link('recording.mp4'));
  assert.equal(answer.statusCode, 200);
  assert.equal(answer.body, 'the composite');
  assert.equal(answer.headers['cache-control'], 'private, no-store');
  assert.equal(answer.headers['content-disposition'], `attachment; filename="parley-${RECORDING}.mp4"`);
  assert.equal((await get(link('tracks/1-camera.mkv'))).body, 'a camera');
  const expired = await get(link('recording.mp4', ROOM, RECORDING, Date.now() - 2000));
  assert.equal(expired.statusCode, 403);
  assert.match(expired.json<{ error: string }>().error, /expired/);
});

test("a link for one file, recording or room does not open another's", QUICK, async () => {
  const { expires, signature } = parts(link('recording.mp4'));
  const reuse = (file: string, room = ROOM, recording = RECORDING) => get(`/recordings/${room}/${recording}/${file}?expires=${expires}&signature=${signature}`);
  for (const answer of [await reuse('manifest.json'), await reuse('recording.mp4', OTHER_ROOM), await reuse('recording.mp4', ROOM, OTHER_RECORDING)]) {
    assert.equal(answer.statusCode, 403);
    assert.match(answer.json<{ error: string }>().error, /not valid/);
  }
  assert.equal((await get(`/recordings/${ROOM}/${RECORDING}/recording.mp4?expires=${expires + 1}&signature=${signature}`)).statusCode, 403);
});

test('no spelling of .. or an encoded slash reaches another file, even signed with the real secret', QUICK, async () => {
  const escapes = [
    `../${OTHER_RECORDING}/recording.mp4`,
    '../../../secret.txt',
    `..%2F${OTHER_RECORDING}%2Frecording.mp4`,
    `%2e%2e/%2e%2e/%2e%2e/secret.txt`,
    'tracks/../info.json',
    'tracks%2F..%2Finfo.json',
    'tracks/%2e%2e/info.json',
    'info.json',
    'recording.mp4.part',
    'capture/1-camera.rtp',
    'tracks/1-camera.mkv%00.mp4',
    'recording.mp4/',
    '/recording.mp4',
    'tracks//1-camera.mkv',
  ];
  for (const file of escapes) {
    // Signed over what the route sees once decoded, with the real secret: the route's own patterns must hold.
    for (const signedAs of [file, decodeURIComponent(file)]) {
      const { expires, signature } = parts(link(signedAs));
      const answer = await get(`/recordings/${ROOM}/${RECORDING}/${file}?expires=${expires}&signature=${signature}`);
      assert.notEqual(answer.statusCode, 200, `${file} (signed as ${signedAs}) was served: ${answer.body}`);
      assert.ok(answer.statusCode < 500, `${file}: ${answer.statusCode}`);
    }
  }
  const { expires, signature } = parts(link('recording.mp4'));
  for (const url of [
    `/recordings/..%2F..%2F${ROOM}/${RECORDING}/recording.mp4`,
    `/recordings/${ROOM}/..%2F${RECORDING}/recording.mp4`,
    `/recordings/${'A'.repeat(5000)}/${RECORDING}/recording.mp4`,
    `/recordings/${ROOM}/${RECORDING}/${'tracks/'.repeat(2000)}recording.mp4`,
  ]) {
    const answer = await get(`${url}?expires=${expires}&signature=${signature}`);
    assert.ok(answer.statusCode >= 400 && answer.statusCode < 500, `${url.slice(0, 80)}: ${answer.statusCode}`);
  }
});

test('a malformed query is refused before any file is looked at', QUICK, async () => {
  const { expires, signature } = parts(link('recording.mp4'));
  const base = `/recordings/${ROOM}/${RECORDING}/recording.mp4`;
  for (const search of ['', `?expires=${expires}`, `?signature=${signature}`, `?expires=-1&signature=${signature}`, `?expires=soon&signature=${signature}`]) {
    assert.equal((await get(`${base}${search}`)).statusCode, 400, search);
  }
});
