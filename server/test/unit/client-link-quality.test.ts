/** The connection-quality indicator's arithmetic: samples from WebRTC statistics, and their grade. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyLink, sampleLink } from '../../../client/src/media/link-quality.js';

const FAST = { timeout: 5_000 };
const pair = (rtt: number) => ({ type: 'candidate-pair', state: 'succeeded', nominated: true, currentRoundTripTime: rtt });
const inbound = (received: number, lost: number, jitter = 0.005) => ({ type: 'inbound-rtp', packetsReceived: received, packetsLost: lost, jitter });

test('loss is measured between samples, over every inbound stream; RTT comes from the selected pair', FAST, () => {
  const first = sampleLink([pair(0.02), { type: 'candidate-pair', state: 'failed', currentRoundTripTime: 9 }, inbound(100, 0), inbound(50, 0)], undefined);
  assert.equal(first.rttMs, 20);
  assert.equal(first.lossRatio, undefined, 'no loss figure from a single sample');
  assert.deepEqual(first.totals, { received: 150, lost: 0 });
  const second = sampleLink([pair(0.02), inbound(190, 5), inbound(95, 5, 0.04)], first.totals);
  assert.equal(second.lossRatio, 10 / 145);
  assert.equal(second.jitterMs, 40);
});

test('grades: good, fair and poor by RTT, loss or jitter, whichever is worst', FAST, () => {
  assert.equal(classifyLink({ rttMs: 20, lossRatio: 0, jitterMs: 5 }), 'good');
  assert.equal(classifyLink({}), 'good', 'nothing measured yet is not bad news');
  assert.equal(classifyLink({ rttMs: 200 }), 'fair');
  assert.equal(classifyLink({ lossRatio: 0.05 }), 'fair');
  assert.equal(classifyLink({ jitterMs: 45 }), 'fair');
  assert.equal(classifyLink({ rttMs: 20, lossRatio: 0.1 }), 'poor');
  assert.equal(classifyLink({ rttMs: 500 }), 'poor');
});
