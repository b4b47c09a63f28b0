/**
 * The browser client's recording and streaming helpers, pure enough to run
 * without a browser: the check of a stream URL before it is sent (against
 * the protocol's own rule for startStreaming), a finished recording in
 * words, and the notice that holds back a newcomer's camera and microphone
 * in a recorded meeting until they choose to continue.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RecordingNotice } from '../../../client/src/connection/recording-notice.js';
import { parseStreamTarget as parse } from '../../../client/src/meeting/stream-target.js';
import { egressProblem, recordingDuration, recordingLabel, recordingSize } from '../../../client/src/views/egress-words.js';
import { Requests } from '../../src/protocol/messages.js';
import { interpretedChecker } from '../../src/protocol/validation.js';
import { QUICK } from '../helpers/timeouts.js';

// The rule the client view passes: the protocol's startStreaming request, as the server checks it.
const request = interpretedChecker(Requests.startStreaming.request);
const parseStreamTarget = (typed: string) => parse(typed, (url) => request.Check({ url }));

test('stream URLs the server takes pass, trimmed and with a lower-case scheme', QUICK, () => {
  assert.deepEqual(parseStreamTarget('rtmp://a.rtmp.youtube.com/live2/abcd-efgh-ijkl'), { ok: true, url: 'rtmp://a.rtmp.youtube.com/live2/abcd-efgh-ijkl' });
  assert.deepEqual(parseStreamTarget('  RTMPS://live.example.com:443/app/key?token=1  '), { ok: true, url: 'rtmps://live.example.com:443/app/key?token=1' });
});

test('what cannot be streamed to is named by its kind of mistake', QUICK, () => {
  assert.deepEqual(parseStreamTarget(' '), { ok: false, problem: 'empty' });
  assert.deepEqual(parseStreamTarget('https://a.rtmp.youtube.com/live2/key'), { ok: false, problem: 'scheme' });
  assert.deepEqual(parseStreamTarget('a.rtmp.youtube.com/live2/key'), { ok: false, problem: 'scheme' });
  assert.deepEqual(parseStreamTarget('rtmp://a.rtmp.youtube.com/live2/my key'), { ok: false, problem: 'form' });
  assert.deepEqual(parseStreamTarget('rtmp://host_name/live/key'), { ok: false, problem: 'form' });
  assert.deepEqual(parseStreamTarget('rtmp://host'), { ok: false, problem: 'form' }, 'no path');
  assert.deepEqual(parseStreamTarget(`rtmp://host/${'k'.repeat(1100)}`), { ok: false, problem: 'form' }, 'too long');
});

test('a finished recording in words: duration, size, and a link name that holds what the link shows', QUICK, () => {
  assert.equal(recordingDuration(45.4), '45 s');
  assert.equal(recordingDuration(192), '3 min 12 s');
  assert.equal(recordingDuration(59.6), '1 min 0 s', 'rounded to whole seconds first');
  assert.equal(recordingDuration(3_900), '1 h 5 min');
  assert.match(recordingSize(24_000_000), /^24\sMB$/);
  assert.match(recordingSize(1_500_000_000), /^1[.,]5\sGB$/);
  assert.match(recordingSize(800_000), /^800\skB$/);
  assert.match(recordingSize(0), /^0\skB$/);
  const startedAt = new Date(2026, 11, 1, 14, 5).getTime();
  const recording = { id: 'r1', startedAt, durationSeconds: 192, sizeBytes: 24_000_000, url: '/recordings/r1', expiresAt: startedAt + 1 };
  const today = recordingLabel(recording, startedAt + 3_600_000);
  assert.match(today.text, /^[^,]+, 3 min 12 s, 24\sMB$/, 'today: the time alone');
  assert.equal(today.name, `Download recording from ${today.text}`);
  const later = recordingLabel(recording, startedAt + 3 * 86_400_000);
  assert.notEqual(later.text, today.text, 'another day: the day too');
  assert.match(later.text, /, 3 min 12 s, 24\sMB$/);
});

test('what went wrong with a request: the refusal as it is, a stop with its reason as a sentence', QUICK, () => {
  const stopped = (reason: string) => `Stopped. ${reason}`;
  assert.equal(egressProblem({ kind: 'idle' }, stopped), '');
  assert.equal(egressProblem({ kind: 'asking' }, stopped), '');
  assert.equal(egressProblem({ kind: 'refused', message: 'This server does not record or stream meetings.' }, stopped), 'This server does not record or stream meetings.');
  assert.equal(egressProblem({ kind: 'stopped', reason: 'the disk is full' }, stopped), 'Stopped. The disk is full.');
});

test('the recording notice: no question when not recording or told, one question at a time otherwise', QUICK, async () => {
  const answers: ((proceed: boolean) => void)[] = [];
  const ask = () => new Promise<boolean>((resolve) => answers.push(resolve));
  const told = new RecordingNotice(true, ask);
  assert.equal(told.maySend(true), true, 'told on the pre-join page: sent at once');
  const notice = new RecordingNotice(false, ask);
  assert.equal(notice.maySend(false), true, 'not recording: sent at once, no promise');
  const first = notice.maySend(true);
  const second = notice.maySend(true);
  assert.equal(first, second, 'a rejoin while the question is open waits for the same answer');
  assert.equal(answers.length, 1);
  answers[0]!(false);
  assert.equal(await first, false);
  const again = notice.maySend(true);
  assert.equal(answers.length, 2, 'left, then back: asked again');
  answers[1]!(true);
  assert.equal(await again, true);
  assert.equal(notice.maySend(true), true, 'continued once: never asked again');
  const inMeeting = new RecordingNotice(false, ask);
  inMeeting.markTold();
  assert.equal(inMeeting.maySend(true), true, 'a recording announced in the meeting counts as told');
  const failing = new RecordingNotice(false, () => Promise.reject(new Error('no dialog')));
  assert.equal(await failing.maySend(true), false, 'a question that could not be asked sends nothing');
});
