/**
 * The browser client's meeting reducers: pure (state, event) -> state, one
 * per entity, so they run here without a browser. A slice an event does not
 * concern keeps its reference; the views rely on that to skip work.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChatMessage, NotificationData, PeerInfo, RecordingInfo, RoomSettings, ServerNotification } from '../../src/protocol/messages.js';
import type { MeetingEvent } from '../../../client/src/meeting/events.js';
import { meetingReducer } from '../../../client/src/meeting/reducers/index.js';
import { lobbyReducer } from '../../../client/src/meeting/reducers/lobby.js';
import { peersReducer } from '../../../client/src/meeting/reducers/peers.js';
import { egressReducer, recordingsReducer } from '../../../client/src/meeting/reducers/egress.js';
import { dialInReducer, dialOutReducer } from '../../../client/src/meeting/reducers/phone.js';
import { selfReducer } from '../../../client/src/meeting/reducers/self.js';
import { initialMeetingState, type MeetingState } from '../../../client/src/meeting/state.js';
import { MeetingStore } from '../../../client/src/meeting/store.js';

const FAST = { timeout: 5_000 };

const notification = <M extends ServerNotification['method']>(method: M, data: NotificationData<M>) =>
  ({ type: 'notification', method, data }) as Extract<ServerNotification, { method: M }>;

const peer = (id: string, displayName: string, extra: Partial<PeerInfo> = {}): PeerInfo => ({
  id,
  displayName,
  role: 'participant',
  handRaised: false,
  producers: [],
  ...extra,
});

const message = (id: string, text: string): ChatMessage => ({ id, peerId: 'p-bob', displayName: 'Bob', text, sentAt: 1_700_000_000_000 });

const welcome = (overrides: Partial<NotificationData<'joined'>> = {}) =>
  notification('joined', {
    role: 'participant',
    peers: [peer('p-bob', 'Bob'), peer('p-carol', 'Carol')],
    chatHistory: [message('m1', 'earlier')],
    audience: 0,
    questions: [],
    room: { locked: false, lobby: true, recording: false, streaming: false, webinar: false },
    credential: 'credential',
    iceServers: [],
    iceTransportPolicy: 'all',
    transports: { send: transport('t-send'), recv: transport('t-recv') },
    ...overrides,
  });

function transport(id: string) {
  return {
    id,
    iceParameters: { usernameFragment: 'u', password: 'p' },
    iceCandidates: [],
    dtlsParameters: { role: 'auto' as const, fingerprints: [{ algorithm: 'sha-256' as const, value: 'AA' }] },
  };
}

const reduce = (events: MeetingEvent[], state: MeetingState = initialMeetingState('Alice')) => events.reduce(meetingReducer, state);

test('the welcome sets the people, chat history, role and room', FAST, () => {
  const state = reduce([
    { type: 'local', method: 'identified', data: { peerId: 'p-alice' } },
    welcome({ role: 'host', room: { locked: true, lobby: false, recording: false, streaming: false, webinar: false } }),
  ]);
  assert.deepEqual([...state.peers.keys()], ['p-bob', 'p-carol']);
  assert.deepEqual(state.chat.map((m) => m.text), ['earlier']);
  assert.deepEqual(state.self, { id: 'p-alice', displayName: 'Alice', role: 'host', handRaised: false, sending: [] });
  assert.deepEqual(state.room, { locked: true, lobby: false, recording: false, streaming: false, webinar: false });
});

test('peers join, change and leave, keyed by id and in arrival order', FAST, () => {
  const state = reduce([
    welcome(),
    notification('peerJoined', { peer: peer('p-dave', 'Dave') }),
    notification('peerUpdated', { peer: peer('p-bob', 'Bob', { handRaised: true }) }),
    notification('peerLeft', { peerId: 'p-carol' }),
  ]);
  assert.deepEqual([...state.peers.keys()], ['p-bob', 'p-dave']);
  assert.equal(state.peers.get('p-bob')?.handRaised, true);
  const before = state.peers;
  assert.equal(peersReducer(before, notification('peerLeft', { peerId: 'nobody' })), before, 'an unknown peer leaving changes nothing');
});

test('the lobby a new host hears of just before its welcome survives the welcome', FAST, () => {
  const waiting = [{ peerId: 'p-guest', displayName: 'Guest' }];
  const state = reduce([notification('lobbyChanged', { waiting }), welcome({ role: 'host' })]);
  assert.deepEqual(state.lobby, waiting);
  assert.deepEqual(reduce([notification('lobbyChanged', { waiting: [] })], state).lobby, []);
  assert.equal(lobbyReducer(state.lobby, notification('speakers', { peerIds: [] })), state.lobby);
});

test('self: promotion, a raised hand and what this tab sends', FAST, () => {
  const state = reduce([
    welcome(),
    notification('promoted', { credential: 'host-credential' }),
    { type: 'local', method: 'handRaised', data: { raised: true } },
    { type: 'local', method: 'sending', data: { sources: ['mic', 'camera'] } },
  ]);
  assert.equal(state.self.role, 'host');
  assert.equal(state.self.handRaised, true);
  assert.deepEqual(state.self.sending, ['mic', 'camera']);
  const same = selfReducer(state.self, { type: 'local', method: 'sending', data: { sources: ['camera', 'mic'] } });
  assert.equal(same, state.self, 'the same sources in another order are no change');
});

test('room settings, chat and speakers follow their notifications', FAST, () => {
  const state = reduce([
    welcome(),
    notification('roomUpdated', { room: { locked: true, lobby: true, recording: true, streaming: false, webinar: false } }),
    notification('chatMessage', { message: message('m2', 'hello') }),
    notification('speakers', { peerIds: ['p-carol', 'p-bob'] }),
  ]);
  assert.deepEqual(state.room, { locked: true, lobby: true, recording: true, streaming: false, webinar: false });
  assert.deepEqual(state.chat.map((m) => m.text), ['earlier', 'hello']);
  assert.deepEqual(state.speakers, ['p-carol', 'p-bob']);
});

test('notices: promotion and media a host stopped, each one new even when the same again', FAST, () => {
  const muted = reduce([welcome(), notification('mediaStoppedByHost', { producerId: 'x', source: 'mic' })]);
  assert.deepEqual(muted.notice, { serial: 1, kind: 'stopped-by-host', source: 'mic' });
  const again = reduce([notification('mediaStoppedByHost', { producerId: 'y', source: 'mic' })], muted);
  assert.deepEqual(again.notice, { serial: 2, kind: 'stopped-by-host', source: 'mic' });
  assert.notEqual(again.notice, muted.notice);
  assert.equal(reduce([notification('mediaStoppedByHost', { producerId: 'z', source: 'screen' })], muted).notice?.kind, 'stopped-by-host');
  assert.equal(reduce([notification('promoted', { credential: 'c' })], muted).notice?.kind, 'promoted');
});

test('phones: a phone peer and a phone waiting in the lobby keep their mark', FAST, () => {
  const state = reduce([
    welcome({ role: 'host' }),
    notification('peerJoined', { peer: peer('p-phone', 'Phone ···1234', { phone: true, producers: [{ id: 'mic-1', source: 'mic', paused: false }] }) }),
    notification('lobbyChanged', { waiting: [{ peerId: 'p-caller', displayName: 'Phone ···5678', phone: true }] }),
  ]);
  assert.equal(state.peers.get('p-phone')?.phone, true);
  assert.equal(state.peers.get('p-bob')?.phone, undefined);
  assert.deepEqual(state.lobby, [{ peerId: 'p-caller', displayName: 'Phone ···5678', phone: true }]);
});

test('dial-in: from a host\'s welcome or promotion, absent for participants and servers without phones', FAST, () => {
  const dialIn = { pin: '123456789', uri: 'sip:123456789@192.168.1.5:5060' };
  assert.equal(reduce([welcome()]).dialIn, undefined);
  assert.deepEqual(reduce([welcome({ role: 'host', dialIn })]).dialIn, dialIn);
  assert.equal(reduce([welcome({ role: 'host' })]).dialIn, undefined, 'a server that takes no calls says nothing');
  const promoted = reduce([welcome(), notification('promoted', { credential: 'c', dialIn })]);
  assert.deepEqual(promoted.dialIn, dialIn);
  assert.equal(promoted.self.role, 'host');
  assert.equal(reduce([notification('promoted', { credential: 'c' })]).dialIn, undefined);
  const same = dialInReducer(promoted.dialIn, notification('promoted', { credential: 'c2', dialIn: { ...dialIn } }));
  assert.equal(same, promoted.dialIn, 'the same PIN and address again keep their reference');
  assert.equal(dialInReducer(promoted.dialIn, notification('speakers', { peerIds: [] })), promoted.dialIn);
});

test('dial-out: calling while the request is out, ringing once placed, answered when that phone joins', FAST, () => {
  const target = '+4930123456';
  const calling = reduce([welcome({ role: 'host' }), { type: 'local', method: 'dialOutStarted', data: { target } }]);
  assert.deepEqual(calling.dialOut, { kind: 'calling', target });
  const ringing = reduce([{ type: 'local', method: 'dialOutPlaced', data: { target, peerId: 'p-phone' } }], calling);
  assert.deepEqual(ringing.dialOut, { kind: 'ringing', target, peerId: 'p-phone' });
  const someoneElse = reduce([notification('peerJoined', { peer: peer('p-dave', 'Dave') })], ringing);
  assert.equal(someoneElse.dialOut, ringing.dialOut, 'another person joining is not the answer');
  const answered = reduce([notification('peerJoined', { peer: peer('p-phone', 'Phone ···3456', { phone: true }) })], ringing);
  assert.deepEqual(answered.dialOut, { kind: 'answered', target });
});

test('dial-out: a refusal or a failed call says why; a failure told before the answer stays', FAST, () => {
  const target = 'sip:alice@10.0.0.5:5062';
  const started = reduce([welcome({ role: 'host' }), { type: 'local', method: 'dialOutStarted', data: { target } }]);
  const refused = reduce([{ type: 'local', method: 'dialOutRefused', data: { target, message: 'That destination is not allowed.' } }], started);
  assert.deepEqual(refused.dialOut, { kind: 'failed', target, message: 'That destination is not allowed.' });
  const failedEarly = reduce([notification('dialOutFailed', { target, reason: 'busy' })], started);
  assert.deepEqual(failedEarly.dialOut, { kind: 'failed', target, message: 'busy' });
  const placedLate = dialOutReducer(failedEarly.dialOut, { type: 'local', method: 'dialOutPlaced', data: { target, peerId: 'p-phone' } });
  assert.equal(placedLate, failedEarly.dialOut);
  const ringing = reduce([{ type: 'local', method: 'dialOutPlaced', data: { target, peerId: 'p-phone' } }], started);
  assert.deepEqual(reduce([notification('dialOutFailed', { target, reason: 'no answer' })], ringing).dialOut, { kind: 'failed', target, message: 'no answer' });
  const again = reduce([{ type: 'local', method: 'dialOutStarted', data: { target } }], refused);
  assert.deepEqual(again.dialOut, { kind: 'calling', target }, 'a new call clears the failure');
});

const room = (settings: Partial<RoomSettings> = {}): RoomSettings => ({ locked: false, lobby: true, recording: false, streaming: false, webinar: false, ...settings });

const recordingInfo = (id: string, startedAt: number): RecordingInfo => ({
  id,
  startedAt,
  durationSeconds: 192,
  sizeBytes: 24_000_000,
  url: `/recordings/${id}.mp4?sig=abc`,
  expiresAt: startedAt + 86_400_000,
});

test('recording and streaming: the room says whether each runs, from the welcome and every update', FAST, () => {
  const recorded = reduce([welcome({ room: room({ recording: true }) })]);
  assert.deepEqual(recorded.room, room({ recording: true }));
  assert.equal(recorded.notice, undefined, 'joining a recorded meeting is no news: the pre-join page or the question tells it');
  const live = reduce([notification('roomUpdated', { room: room({ recording: true, streaming: true }) })], recorded);
  assert.deepEqual(live.room, room({ recording: true, streaming: true }));
  const over = reduce([notification('roomUpdated', { room: room() })], live);
  assert.deepEqual(over.room, room());
});

test('notices: the recording and the stream starting and stopping, each only when it changes', FAST, () => {
  const joined = reduce([welcome()]);
  const started = reduce([notification('roomUpdated', { room: room({ recording: true }) })], joined);
  assert.deepEqual(started.notice, { serial: 1, kind: 'egress', started: { recording: true } });
  const locked = reduce([notification('roomUpdated', { room: room({ recording: true, locked: true }) })], started);
  assert.equal(locked.notice, started.notice, 'locking a recorded room says nothing of the recording');
  const both = reduce([notification('roomUpdated', { room: room({ locked: true, streaming: true }) })], locked);
  assert.deepEqual(both.notice, { serial: 2, kind: 'egress', started: { recording: false, streaming: true } });
  const failed = reduce([notification('egressFailed', { what: 'streaming', reason: 'the RTMP server hung up' })], both);
  assert.deepEqual(failed.notice, { serial: 3, kind: 'egress-failed', what: 'streaming', reason: 'the RTMP server hung up' });
});

test("egress requests: asking, answered, refused in the person's words, or stopped on the server", FAST, () => {
  const host = reduce([welcome({ role: 'host' })]);
  assert.deepEqual(host.egress, { recording: { kind: 'idle' }, streaming: { kind: 'idle' } });
  const asking = reduce([{ type: 'local', method: 'egressAsked', data: { what: 'recording' } }], host);
  assert.deepEqual(asking.egress, { recording: { kind: 'asking' }, streaming: { kind: 'idle' } });
  assert.equal(asking.egress.streaming, host.egress.streaming, 'the other request keeps its reference');
  const refused = reduce([{ type: 'local', method: 'egressRefused', data: { what: 'recording', message: 'This server does not record or stream meetings.' } }], asking);
  assert.deepEqual(refused.egress.recording, { kind: 'refused', message: 'This server does not record or stream meetings.' });
  const answered = reduce([{ type: 'local', method: 'egressAnswered', data: { what: 'recording' } }], asking);
  assert.deepEqual(answered.egress.recording, { kind: 'idle' });
  const stopped = reduce([notification('egressFailed', { what: 'streaming', reason: 'the RTMP server hung up' })], answered);
  assert.deepEqual(stopped.egress.streaming, { kind: 'stopped', reason: 'the RTMP server hung up' });
  // Another host starts the stream again: its old failure goes; the refusal about a recording that does not run stays.
  const mixed = reduce([{ type: 'local', method: 'egressRefused', data: { what: 'recording', message: 'No.' } }], stopped);
  const again = reduce([notification('roomUpdated', { room: room({ streaming: true }) })], mixed);
  assert.deepEqual(again.egress, { recording: { kind: 'refused', message: 'No.' }, streaming: { kind: 'idle' } });
  assert.equal(egressReducer(again.egress, notification('roomUpdated', { room: room({ streaming: true }) })), again.egress, 'nothing to clear: the same reference');
});

test('recordings: undefined until listed, then the list; a ready one goes first, once', FAST, () => {
  const host = reduce([welcome({ role: 'host' })]);
  assert.equal(host.recordings, undefined);
  const older = recordingInfo('r1', 1_700_000_000_000);
  const listed = reduce([{ type: 'local', method: 'recordingsListed', data: { recordings: [older] } }], host);
  assert.deepEqual(listed.recordings, [older]);
  const newer = recordingInfo('r2', 1_700_000_600_000);
  const ready = reduce([notification('recordingReady', { recording: newer })], listed);
  assert.deepEqual(ready.recordings?.map(({ id }) => id), ['r2', 'r1']);
  const fresher = { ...newer, url: '/recordings/r2.mp4?sig=def' };
  const twice = recordingsReducer(ready.recordings, notification('recordingReady', { recording: fresher }));
  assert.deepEqual(twice, [fresher, older], 'the same recording again is replaced, not doubled');
  assert.deepEqual(reduce([notification('recordingReady', { recording: newer })], host).recordings, [newer], 'ready before any listing');
  assert.equal(recordingsReducer(ready.recordings, notification('speakers', { peerIds: [] })), ready.recordings);
});

test('a speaker change touches only the speakers slice, and an irrelevant event nothing', FAST, () => {
  const state = reduce([welcome(), notification('lobbyChanged', { waiting: [{ peerId: 'p-guest', displayName: 'Guest' }] })]);
  const next = meetingReducer(state, notification('speakers', { peerIds: ['p-bob'] }));
  for (const key of ['peers', 'lobby', 'self', 'room', 'chat', 'notice', 'dialIn', 'dialOut', 'egress', 'recordings'] as const) assert.equal(next[key], state[key], key);
  assert.notEqual(next.speakers, state.speakers);
  assert.equal(meetingReducer(state, notification('consumerClosed', { consumerId: 'c1' })), state);
});

test('the store tells its listeners about changes only', FAST, () => {
  const store = new MeetingStore('Alice');
  const seen: MeetingState[] = [];
  const unsubscribe = store.subscribe((state) => seen.push(state));
  store.dispatch(welcome());
  store.dispatch(notification('consumerPaused', { consumerId: 'c1' }));
  store.dispatch(notification('chatMessage', { message: message('m2', 'hi') }));
  unsubscribe();
  store.dispatch(notification('peerLeft', { peerId: 'p-bob' }));
  assert.equal(seen.length, 3, 'the first state, the welcome and the message');
  assert.deepEqual(seen.at(-1)?.chat.map((m) => m.text), ['earlier', 'hi']);
  assert.equal(store.state.peers.has('p-bob'), false);
});
