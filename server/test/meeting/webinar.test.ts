/**
 * A webinar's rules, without a worker or a browser: attendees receive
 * only and may not send, see the panel and a count but not each other,
 * ask questions the panel answers or dismisses, move between audience and
 * panel at a host's word (here and through other nodes), and come back in
 * the role their credential says.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Session } from '../../src/signalling/session.js';
import type { SessionDeps } from '../../src/signalling/session.js';
import { SignallingError } from '../../src/protocol/errors.js';
import type { NotificationData, PeerInfo, Question } from '../../src/protocol/messages.js';
import { QUICK } from '../helpers/timeouts.js';
import { hostIn, meetingFixture, TestPeer, type Fixture } from './meeting-fixture.js';

const code = (expected: string) => (error: unknown) => error instanceof SignallingError && error.code === expected;
const ids = (peers: PeerInfo[]) => peers.map((peer) => peer.id).sort();
const welcomeOf = (peer: TestPeer) => peer.got('joined').at(-1) as NotificationData<'joined'>;

async function webinar(settings: { lobby?: boolean; maxPeers?: number; maxAttendees?: number } = {}): Promise<Fixture & { host: TestPeer }> {
  const f = await meetingFixture({ ...settings, webinar: true, lobby: settings.lobby ?? false });
  return { ...f, host: await hostIn(f) };
}

async function attendee(f: Fixture, id: string): Promise<TestPeer> {
  const peer = new TestPeer(id);
  await f.join(peer);
  assert.equal(peer.role, 'attendee', `${id} enters as an attendee`);
  return peer;
}

test('an attendee gets a receive transport only, no chat, and the handler table refuses them media and chat', QUICK, async () => {
  const f = await webinar();
  await f.meeting.chat(f.host, 'panel only');
  const ann = await attendee(f, 'ann');
  const welcome = welcomeOf(ann);
  assert.equal(welcome.role, 'attendee');
  assert.equal(welcome.transports?.send, undefined, 'no send transport');
  assert.equal(welcome.transports?.recv.id, 'ann-recv');
  assert.deepEqual(welcome.chatHistory, [], 'the chat is the panel’s');
  assert.equal(welcomeOf(f.host).transports?.send?.id, 'host-send', 'a panelist still gets both');
  await f.meeting.chat(f.host, 'still panel only');
  assert.equal(ann.got('chatMessage').length, 0);

  // The handler table: an attendee's session is refused before any handler runs.
  const session = new Session(f.meeting.id, '', {} as SessionDeps, { notify: () => {}, disconnect: () => {} });
  session.peer.transition('joined');
  session.peer.setRole('attendee');
  const refused = async (method: 'produce' | 'sendChat' | 'createWebRtcTransport' | 'answerQuestion', data: unknown) => {
    const error = await session.handle({ type: 'request', id: 1, method, data } as never).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    assert.ok(error instanceof SignallingError && error.code === 'forbidden', `${method} is forbidden`);
    return error.message;
  };
  assert.equal(await refused('produce', { transportId: 't', kind: 'audio', rtpParameters: { codecs: [] }, source: 'mic' }), 'attendees cannot produce');
  assert.equal(await refused('sendChat', { text: 'hi' }), 'attendees cannot sendChat');
  assert.equal(await refused('createWebRtcTransport', { direction: 'send' }), 'attendees cannot send media');
  assert.equal(await refused('answerQuestion', { questionId: 'q', text: 'no' }), 'attendees cannot answerQuestion');
});

test('attendees see the panel and a count, never each other; the panel sees everyone and hears their hands', QUICK, async () => {
  const f = await webinar();
  const ann = await attendee(f, 'ann');
  const ben = await attendee(f, 'ben');
  assert.deepEqual(ids(welcomeOf(ben).peers), ['host'], 'a newcomer attendee is told of the panel only');
  assert.equal(welcomeOf(ben).audience, 2, 'and how many attendees there are, themselves included');
  assert.deepEqual(ann.got('peerJoined'), [], 'an attendee’s arrival reaches no other attendee');
  assert.deepEqual(
    f.host.got('peerJoined').map((data) => (data as { peer: PeerInfo }).peer.id),
    ['ann', 'ben'],
  );
  await f.host.latest('audienceChanged', { count: 2 }, 3_000);
  await ann.latest('audienceChanged', { count: 2 }, 3_000);
  assert.ok(f.host.got('audienceChanged').length <= 2, 'coalesced: the first change at once, then at most one a second');

  f.meeting.setHandRaised(ann, true);
  assert.equal((f.host.got('peerUpdated').at(-1) as { peer: PeerInfo }).peer.handRaised, true, 'the panel sees the raised hand');
  assert.deepEqual(ben.got('peerUpdated'), [], 'other attendees do not');

  // An attendee on another node counts too, and is just as invisible to attendees here.
  f.meeting.remotePeer({ info: { id: 'cat', displayName: 'Cat', role: 'attendee', handRaised: false, producers: [] }, nodeId: 'B', credentialId: 'c-cat', owner: false });
  assert.deepEqual(ann.got('peerJoined'), []);
  await ann.latest('audienceChanged', { count: 3 }, 3_000);
  f.meeting.remotePeerLeft('cat');
  await f.meeting.leave(ben);
  assert.deepEqual(ann.got('peerLeft'), [], 'nor their departure');
  assert.deepEqual(f.host.got('peerLeft').slice(-2), [{ peerId: 'cat' }, { peerId: 'ben' }]);
  await ann.latest('audienceChanged', { count: 1 }, 3_000);

  // An attendee's reaction reaches the panel and themselves, not the audience.
  const cy = await attendee(f, 'cy');
  f.meeting.react(ann, 'applause');
  assert.deepEqual(f.host.got('reaction'), [{ peerId: 'ann', reaction: 'applause' }]);
  assert.deepEqual(ann.got('reaction'), [{ peerId: 'ann', reaction: 'applause' }]);
  assert.deepEqual(cy.got('reaction'), []);
});

test('questions: the panel sees each, the asker follows theirs, an answer goes to everyone, a dismissal to the panel and asker', QUICK, async () => {
  const f = await webinar();
  const ann = await attendee(f, 'ann');
  const ben = await attendee(f, 'ben');
  const first = f.meeting.askQuestion(ann, '  Will the slides be shared?  ');
  const asked = (f.host.got('questionAsked').at(-1) as { question: Question }).question;
  assert.deepEqual({ ...asked, askedAt: 0 }, { id: first, peerId: 'ann', displayName: 'ann', text: 'Will the slides be shared?', askedAt: 0, state: 'open' });
  assert.deepEqual(ann.got('questionAsked'), [{ question: asked }], 'the asker sees their own');
  assert.deepEqual(ben.got('questionAsked'), [], 'other attendees do not');
  assert.deepEqual(f.events.filter((event) => event.type === 'question').length, 1, 'other nodes learn it');

  f.meeting.answerQuestion(f.host, first, 'Yes, after the talk.');
  for (const peer of [f.host, ann, ben]) {
    const { question } = peer.got('questionAnswered').at(-1) as { question: Question };
    assert.equal(question.state, 'answered');
    assert.equal(question.answer?.text, 'Yes, after the talk.');
    assert.equal(question.answer?.displayName, 'host');
  }
  assert.throws(() => f.meeting.answerQuestion(f.host, first, 'again'), code('invalid_state'));
  assert.throws(() => f.meeting.dismissQuestion('no-such-question'), code('not_found'));

  const second = f.meeting.askQuestion(ben, 'Off topic');
  f.meeting.dismissQuestion(second);
  assert.equal((f.host.got('questionDismissed').at(-1) as { question: Question }).question.state, 'dismissed');
  assert.equal((ben.got('questionDismissed').at(-1) as { question: Question }).question.id, second, 'the asker learns it');
  assert.deepEqual(ann.got('questionDismissed'), [], 'nobody else does');

  // A newcomer attendee sees the answered question and their own; a panelist sees all.
  const late = await attendee(f, 'late');
  assert.deepEqual(welcomeOf(late).questions.map((question) => question.id), [first]);
  const panelist = await hostIn(f, 'co-host');
  assert.deepEqual(welcomeOf(panelist).questions.map((question) => question.id), [first, second]);

  // From another node: told once, however often it is repeated; a later state never reopens.
  const remote: Question = { id: 'q-remote', peerId: 'far', displayName: 'Far', text: 'Hello from B', askedAt: 1, state: 'open' };
  f.meeting.remoteQuestion(remote);
  f.meeting.remoteQuestion(remote);
  assert.equal(f.host.got('questionAsked').filter((data) => (data as { question: Question }).question.id === 'q-remote').length, 1);
  f.meeting.remoteQuestion({ ...remote, state: 'dismissed' });
  f.meeting.remoteQuestion(remote);
  assert.equal(f.host.got('questionAsked').filter((data) => (data as { question: Question }).question.id === 'q-remote').length, 1);

  // Rate-limited like chat.
  assert.throws(() => {
    for (let n = 0; n < 10; n++) f.meeting.askQuestion(late, `question ${n}`);
  }, code('rate_limited'));
});

test('a host makes an attendee a panelist and back: transports, credentials, records and who sees whom follow', QUICK, async () => {
  const f = await webinar();
  const ann = await attendee(f, 'ann');
  const ben = await attendee(f, 'ben');

  await f.meeting.command(f.host, 'ann', 'makePanelist');
  assert.equal(ann.role, 'participant');
  const became = ann.got('becamePanelist').at(-1) as NotificationData<'becamePanelist'>;
  assert.equal(became.send.id, 'ann-send', 'a send transport made for them');
  assert.deepEqual(ids(became.peers), ['ben', 'host'], 'a panelist sees the audience too');
  assert.equal((await f.credentials.verify(became.credential, f.meeting.id)).role, 'participant');
  assert.equal((await f.store.listParticipants(f.meeting.id)).find((p) => p.peerId === 'ann')?.role, 'participant');
  assert.deepEqual(ben.got('peerJoined').map((data) => (data as { peer: PeerInfo }).peer.id), ['ann'], 'attendees now see the new panelist');
  assert.equal((f.host.got('peerUpdated').at(-1) as { peer: PeerInfo }).peer.role, 'participant', 'the panel sees the change');
  await ben.latest('audienceChanged', { count: 1 }, 3_000);

  await f.meeting.command(f.host, 'ann', 'makeAttendee');
  assert.equal(ann.role, 'attendee');
  assert.deepEqual(f.media.closedSending, ['ann'], 'whatever they sent stops, their send transport closes');
  const back = ann.got('becameAttendee').at(-1) as NotificationData<'becameAttendee'>;
  assert.deepEqual(ids(back.peers), ['host'], 'an attendee again sees the panel only');
  assert.equal((await f.credentials.verify(back.credential, f.meeting.id)).role, 'attendee');
  assert.deepEqual(ben.got('peerLeft'), [{ peerId: 'ann' }], 'they vanish from the attendees’ lists');
  assert.equal((await f.store.listParticipants(f.meeting.id)).find((p) => p.peerId === 'ann')?.role, 'attendee');
  await ben.latest('audienceChanged', { count: 2 }, 3_000);

  await assert.rejects(f.meeting.command(f.host, 'ann', 'promote'), code('invalid_state'), 'an attendee is made a panelist before a host');
  // Someone another node serves: the command goes there.
  f.meeting.remotePeer({ info: { id: 'far', displayName: 'Far', role: 'attendee', handRaised: false, producers: [] }, nodeId: 'B', credentialId: 'c-far', owner: false });
  await f.meeting.command(f.host, 'far', 'makePanelist');
  assert.deepEqual(f.events.at(-1), { type: 'command', targetPeerId: 'far', command: 'makePanelist' });
  // ...and when it reports the change, attendees here see a new panelist.
  f.meeting.remotePeer({ info: { id: 'far', displayName: 'Far', role: 'participant', handRaised: false, producers: [] }, nodeId: 'B', credentialId: 'c-far', owner: false });
  assert.equal((ben.got('peerJoined').at(-1) as { peer: PeerInfo }).peer.id, 'far');
});

test('the role survives a rejoin: a panelist’s credential comes back to the panel, an attendee’s to the audience past the lobby', QUICK, async () => {
  const f = await webinar({ lobby: true });
  const ann = new TestPeer('ann');
  await f.join(ann);
  await f.meeting.command(f.host, 'ann', 'admit');
  assert.equal(ann.role, 'attendee', 'admitted from the lobby into the audience');
  await f.meeting.command(f.host, 'ann', 'makePanelist');
  const panelist = (ann.got('becamePanelist').at(-1) as NotificationData<'becamePanelist'>).credential;
  await f.meeting.leave(ann);
  const annAgain = new TestPeer('ann-again');
  assert.equal((await f.join(annAgain, { credential: panelist })).status, 'joined');
  assert.equal(annAgain.role, 'participant');
  assert.ok(welcomeOf(annAgain).transports?.send, 'with a send transport');

  await f.meeting.command(f.host, 'ann-again', 'makeAttendee');
  const audience = (annAgain.got('becameAttendee').at(-1) as NotificationData<'becameAttendee'>).credential;
  await f.meeting.leave(annAgain);
  const annThird = new TestPeer('ann-third');
  assert.equal((await f.join(annThird, { credential: audience })).status, 'joined', 'no lobby for someone admitted before');
  assert.equal(annThird.role, 'attendee');
});

test('turning webinar mode off brings every attendee into the panel; on again, newcomers are attendees', QUICK, async () => {
  const f = await webinar();
  const ann = await attendee(f, 'ann');
  await f.meeting.updateSettings(f.host, { webinar: false });
  assert.deepEqual(f.host.got('roomUpdated').at(-1), { room: { locked: false, lobby: false, recording: false, streaming: false, webinar: false } });
  assert.equal(ann.role, 'participant');
  assert.equal(ann.got('becamePanelist').length, 1);
  const ben = new TestPeer('ben');
  await f.join(ben);
  assert.equal(ben.role, 'participant');
  await f.meeting.updateSettings(f.host, { webinar: true });
  assert.equal(ben.role, 'participant', 'turning it on leaves the panel as it is');
  await attendee(f, 'cy');
  assert.equal((await f.store.getRoom(f.meeting.id))?.webinar, true);
});

test('the panel and the audience fill up apart: a full panel lets attendees in, a full audience refuses only attendees', QUICK, async () => {
  const f = await webinar({ maxPeers: 1, maxAttendees: 2 });
  await attendee(f, 'a1');
  await attendee(f, 'a2');
  await assert.rejects(f.join(new TestPeer('a3')), code('room_full'), 'the audience is full');
  assert.equal(f.meeting.roster.audienceSize(), 2);
});
