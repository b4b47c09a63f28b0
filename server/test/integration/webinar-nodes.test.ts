/**
 * A webinar across two nodes sharing a real redis-server, over plain
 * signalling: the audience count covers attendees on both nodes, attendees
 * never hear of each other wherever they are, questions and answers cross
 * nodes, and a host on one node brings an attendee of the other onto the
 * panel. Attendees are refused media there as here.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServerMessage, TestSocket } from '../../testkit/ws-client.js';
import { callApi, joinOver } from '../helpers/management-api.js';
import { twoNodesFixture } from '../helpers/meeting-fixture.js';
import { SERVER } from '../helpers/timeouts.js';

const nodes = twoNodesFixture();

const counted = (socket: TestSocket, count: number) =>
  socket.waitFor((message) => message.method === 'audienceChanged' && (message.data as { count: number }).count === count, 10_000, `an audience of ${count}`);
const welcome = (socket: TestSocket) => socket.received.find((message) => message.method === 'joined')!.data as { role: string; peers: { id: string }[]; audience: number };
const about = (socket: TestSocket, method: string, peerId: string) =>
  socket.received.filter((message: ServerMessage) => message.method === method && JSON.stringify(message.data).includes(peerId));

test('the audience is counted on both nodes, attendees stay apart, questions and promotions cross nodes', SERVER, async () => {
  const created = await callApi(nodes.nodeA.url, 'POST', '/api/rooms', { body: { lobby: false, webinar: true } });
  assert.equal(created.status, 201);
  const room = created.body as { id: string; hostUrl: string };
  const host = await joinOver(nodes.nodeA.url, room.id, 'Hostess', nodes.sockets, room.hostUrl.split('#host=')[1]);
  await host.socket.notification('joined');
  assert.equal(welcome(host.socket).role, 'host');

  const ann = await joinOver(nodes.nodeA.url, room.id, 'Ann', nodes.sockets);
  const ben = await joinOver(nodes.nodeB.url, room.id, 'Ben', nodes.sockets);
  const cat = await joinOver(nodes.nodeB.url, room.id, 'Cat', nodes.sockets);
  for (const attendee of [ann, ben, cat]) await attendee.socket.notification('joined');
  assert.deepEqual([ann, ben, cat].map((attendee) => welcome(attendee.socket).role), ['attendee', 'attendee', 'attendee']);
  assert.deepEqual(welcome(cat.socket).peers.map((peer) => peer.id), [host.peerId], 'an attendee on node B is told of the panel only');

  // Everyone, on both nodes, hears that three attendees are here.
  await Promise.all([host, ann, ben, cat].map(({ socket }) => counted(socket, 3)));
  for (const other of [ann, ben, cat]) assert.equal(about(host.socket, 'peerJoined', other.peerId).length, 1, 'the host sees every attendee');
  assert.equal(about(ann.socket, 'peerJoined', ben.peerId).length + about(ann.socket, 'peerJoined', cat.peerId).length, 0, 'Ann (node A) hears of no attendee on B');
  assert.equal(about(ben.socket, 'peerJoined', ann.peerId).length + about(ben.socket, 'peerJoined', cat.peerId).length, 0, 'Ben (node B) hears of no other attendee');

  // Attendees send nothing, on node B as on A.
  const send = await ben.socket.request('createWebRtcTransport', { direction: 'send' });
  assert.deepEqual(send.error, { code: 'forbidden', message: 'attendees cannot send media' });
  assert.equal((await ben.socket.request('sendChat', { text: 'hello' })).error?.code, 'forbidden');

  // Ben asks on node B; the host on A sees it; the answer reaches every attendee on both nodes.
  const asked = await ben.socket.request('askQuestion', { text: 'Is there a recording?' });
  assert.equal(asked.ok, true);
  const questionId = (asked.data as { questionId: string }).questionId;
  await host.socket.waitFor((message) => message.method === 'questionAsked' && JSON.stringify(message.data).includes(questionId));
  assert.equal(about(cat.socket, 'questionAsked', questionId).length, 0, 'other attendees do not see an open question');
  assert.equal((await host.socket.request('answerQuestion', { questionId, text: 'Yes, tomorrow.' })).ok, true);
  for (const { socket } of [ann, ben, cat]) {
    const answered = await socket.waitFor((message) => message.method === 'questionAnswered');
    assert.equal((answered.data as { question: { answer: { text: string } } }).question.answer.text, 'Yes, tomorrow.');
  }

  // The host on A brings Cat (node B) onto the panel: she gets a send transport, attendees on A see her, the count drops.
  assert.equal((await host.socket.request('makePanelist', { peerId: cat.peerId })).ok, true);
  const became = await cat.socket.notification('becamePanelist');
  assert.ok((became.data as { send: { id: string } }).send.id, 'a send transport from node B');
  await ann.socket.waitFor((message) => message.method === 'peerJoined' && JSON.stringify(message.data).includes(cat.peerId));
  await Promise.all([host, ann, ben].map(({ socket }) => counted(socket, 2)));
  assert.equal((await cat.socket.request('createWebRtcTransport', { direction: 'send' })).ok, true, 'a panelist may send');
});
