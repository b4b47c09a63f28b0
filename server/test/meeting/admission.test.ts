/**
 * Who gets in: every row of the admission table (peer state x credential x
 * revoked x lock x lobby x webinar x password), checked against the rules as a person
 * would state them, plus the rows people ask about most, spelled out.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decideAdmission, type AdmissionInput } from '../../src/meeting/admission.js';

const FAST = { timeout: 5_000 };

function* everyRow(): Generator<AdmissionInput> {
  for (const peerState of ['connected', 'waiting', 'joined', 'closed'] as const)
    for (const credential of [undefined, 'guest', 'attendee', 'participant', 'host'] as const)
      for (const revoked of [false, true])
        for (const locked of [false, true])
          for (const lobby of [false, true])
            for (const webinar of [false, true])
              for (const hasPassword of [false, true])
                for (const password of ['unchecked', 'absent', 'wrong', 'right'] as const)
                  yield { peerState, credential, revoked, locked, lobby, webinar, hasPassword, password };
}

const rows = [...everyRow()];

test('the table has every combination: 4 x 5 x 2 x 2 x 2 x 2 x 2 x 4 rows', FAST, () => {
  assert.equal(rows.length, 2560);
});

test('only a fresh session may join, whatever else holds', FAST, () => {
  for (const row of rows.filter((r) => r.peerState !== 'connected')) {
    assert.deepEqual(decideAdmission(row), { kind: 'refuse', code: 'invalid_state', message: 'this session has already joined' }, JSON.stringify(row));
  }
});

test('a revoked credential never gets in, not even a host credential', FAST, () => {
  for (const row of rows.filter((r) => r.peerState === 'connected' && r.revoked)) {
    const decision = decideAdmission(row);
    assert.equal(decision.kind === 'refuse' && decision.code, 'credential_revoked', JSON.stringify(row));
  }
});

test('hosts and admitted participants enter with their role, locked or not, with no password and no lobby', FAST, () => {
  for (const row of rows.filter((r) => r.peerState === 'connected' && !r.revoked && (r.credential === 'host' || r.credential === 'participant'))) {
    assert.deepEqual(decideAdmission(row), { kind: 'enter', role: row.credential }, JSON.stringify(row));
  }
});

test('anyone else is refused by a locked room before any password is checked', FAST, () => {
  const others = rows.filter((r) => r.peerState === 'connected' && !r.revoked && (r.credential === undefined || r.credential === 'guest'));
  assert.equal(others.length, 128);
  for (const row of others.filter((r) => r.locked)) {
    assert.deepEqual(decideAdmission(row), { kind: 'refuse', code: 'room_locked', message: 'the host has locked this meeting' }, JSON.stringify(row));
  }
});

test('a password room asks for the check, then refuses a missing or wrong password and lets the right one on', FAST, () => {
  const open = rows.filter((r) => r.peerState === 'connected' && !r.revoked && !r.locked && (r.credential === undefined || r.credential === 'guest'));
  const expected = (row: AdmissionInput) => {
    if (row.hasPassword && row.password === 'unchecked') return { kind: 'check-password' };
    if (row.hasPassword && row.password === 'absent') return { kind: 'refuse', code: 'password_required', message: 'this meeting needs a password' };
    if (row.hasPassword && row.password === 'wrong') return { kind: 'refuse', code: 'password_incorrect', message: 'that password is not right' };
    return row.lobby ? { kind: 'lobby' } : { kind: 'enter', role: row.webinar ? 'attendee' : 'participant' };
  };
  assert.equal(open.length, 64);
  for (const row of open) assert.deepEqual(decideAdmission(row), expected(row), JSON.stringify(row));
});

test('no row lets a newcomer in as a host, and no row puts a credentialed person in the lobby', FAST, () => {
  for (const row of rows) {
    const decision = decideAdmission(row);
    if (decision.kind === 'enter' && decision.role === 'host') assert.equal(row.credential, 'host');
    if (decision.kind === 'lobby') assert.ok(row.credential === undefined || row.credential === 'guest');
  }
});

test('an attendee credential re-enters without lock, password or lobby: as an attendee in a webinar, as a participant once it is not', FAST, () => {
  for (const row of rows.filter((r) => r.peerState === 'connected' && !r.revoked && r.credential === 'attendee')) {
    assert.deepEqual(decideAdmission(row), { kind: 'enter', role: row.webinar ? 'attendee' : 'participant' }, JSON.stringify(row));
  }
});

test('in a webinar only a panelist credential enters the panel; everyone else let in is an attendee', FAST, () => {
  for (const row of rows.filter((r) => r.webinar)) {
    const decision = decideAdmission(row);
    if (decision.kind !== 'enter') continue;
    assert.equal(decision.role, row.credential === 'host' || row.credential === 'participant' ? row.credential : 'attendee', JSON.stringify(row));
  }
});

test('the rows people ask about', FAST, () => {
  const base: AdmissionInput = {
    peerState: 'connected',
    credential: undefined,
    revoked: false,
    locked: false,
    lobby: true,
    webinar: false,
    hasPassword: false,
    password: 'unchecked',
  };
  assert.deepEqual(decideAdmission(base), { kind: 'lobby' }, 'a newcomer waits in the lobby');
  assert.deepEqual(decideAdmission({ ...base, lobby: false }), { kind: 'enter', role: 'participant' }, 'without a lobby a newcomer enters');
  assert.deepEqual(decideAdmission({ ...base, credential: 'guest' }), { kind: 'lobby' }, 'a lobby ticket only waits again');
  assert.equal(decideAdmission({ ...base, credential: 'participant', revoked: true }).kind, 'refuse', 'a removed participant stays out');
  assert.deepEqual(decideAdmission({ ...base, credential: 'participant', locked: true }), { kind: 'enter', role: 'participant' }, 'an admitted participant may reconnect to a locked room');
});
