/** What a node knows of the people other nodes serve: keyed by their node, forgotten with it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RemotePeers } from '../../src/roster/remote-peers.js';

const FAST = { timeout: 5_000 };
const info = (id: string, displayName = id) => ({ id, displayName, role: 'participant' as const, handRaised: false, producers: [] });

test('peers are added, updated, found by credential and listed per node', FAST, () => {
  const remote = new RemotePeers();
  assert.equal(remote.set({ info: info('p1'), nodeId: 'A', credentialId: 'c1', owner: false }), true, 'new');
  assert.equal(remote.set({ info: info('p1', 'Renamed'), nodeId: 'A', credentialId: 'c1', owner: false }), false, 'an update');
  remote.set({ info: info('p2'), nodeId: 'B', credentialId: 'c2', owner: false });
  assert.equal(remote.size, 2);
  assert.equal(remote.byCredential('c1')?.info.displayName, 'Renamed');
  assert.equal(remote.byCredential('nobody'), undefined);
  assert.deepEqual(remote.peersOn('A'), ['p1']);
  assert.equal(remote.delete('p1'), true);
  assert.equal(remote.delete('p1'), false, 'a second delete is a no-op');
  assert.deepEqual(remote.infos().map((peer) => peer.id), ['p2']);
});

test('each node speaks for its own lobby only, and a gone node’s lobby is forgotten', FAST, () => {
  const remote = new RemotePeers();
  remote.setWaiting('A', [{ peerId: 'w1', displayName: 'Wendy' }]);
  remote.setWaiting('B', [{ peerId: 'w2', displayName: 'Walt' }]);
  remote.setWaiting('A', [{ peerId: 'w3', displayName: 'Wes' }]);
  assert.deepEqual(remote.waiting().map((peer) => peer.peerId).sort(), ['w2', 'w3'], 'a node’s new list replaces its old one');
  assert.equal(remote.isWaiting('w1'), false);
  remote.forgetLobby('B');
  assert.deepEqual(remote.waiting().map((peer) => peer.peerId), ['w3']);
});
