/**
 * A meeting with no worker: the real meeting layer, roster, credentials and
 * in-memory store, over a stand-in for the media room that records what it
 * was asked (the media room itself is tested with real workers in e2e).
 */
import { EventEmitter } from 'node:events';
import { isDeepStrictEqual } from 'node:util';
import { pino } from 'pino';
import { Credentials } from '../../src/auth/credentials.js';
import type { MediaRoom, MediaRoomEvents, ProducerEvent } from '../../src/media/media-room.js';
import { Meeting, type MeetingEvent } from '../../src/meeting/meeting.js';
import type { Egress } from '../../src/meeting/egress.js';
import { StreamKeys } from '../../src/meeting/stream-keys.js';
import { MeetingRecords } from '../../src/meeting/records.js';
import { RoomLimits } from '../../src/meeting/room-limits.js';
import type { MediaSource, NotificationMethod, RequestData } from '../../src/protocol/messages.js';
import { Peer } from '../../src/roster/peer.js';
import { MemoryRoomStore } from '../../src/store/memory-room-store.js';
import type { RoomStore } from '../../src/store/room-store.js';
import { withDeadline } from '../../testkit/wait.js';

export class StandInMedia extends EventEmitter<MediaRoomEvents> {
  readonly members = new Set<string>();
  readonly stopped: { peerId: string; sources: MediaSource[] }[] = [];
  /** Peers whose sending was closed for good (made attendees). */
  readonly closedSending: string[] = [];
  add(peerId: string): void {
    this.members.add(peerId);
  }
  remove(peerId: string): void {
    this.members.delete(peerId);
  }
  producersOf(): [] {
    return [];
  }
  async createTransport(peerId: string, direction: 'send' | 'recv') {
    return {
      id: `${peerId}-${direction}`,
      iceParameters: { usernameFragment: 'u', password: 'p', iceLite: true },
      iceCandidates: [],
      dtlsParameters: { role: 'auto' as const, fingerprints: [] },
    };
  }
  async consumeExisting(): Promise<void> {}
  closeSending(peerId: string): void {
    this.closedSending.push(peerId);
  }
  closePipedOf(): void {}
  close(): void {}
  async stopMedia(peerId: string, sources: MediaSource[]): Promise<ProducerEvent[]> {
    this.stopped.push({ peerId, sources });
    return sources.map((source) => ({ peerId, producerId: `${peerId}-${source}`, source }));
  }
}

/** A peer whose notifications and disconnection are recorded. */
export class TestPeer extends Peer {
  readonly received: { method: NotificationMethod; data: unknown }[] = [];
  disconnected = false;
  private readonly arrivals = new EventEmitter<{ notified: [] }>();
  constructor(id: string, address = '') {
    super(
      id,
      {
        notify: (method, data) => {
          this.received.push({ method, data });
          this.arrivals.emit('notified');
        },
        disconnect: () => void (this.disconnected = true),
      },
      address,
    );
  }
  got(method: NotificationMethod): unknown[] {
    return this.received.filter((entry) => entry.method === method).map((entry) => entry.data);
  }
  /** Waits (at most `ms`) until the latest `method` notification deep-equals `expected`. */
  async latest(method: NotificationMethod, expected: unknown, ms = 2_000): Promise<void> {
    const matches = () => isDeepStrictEqual(this.got(method).at(-1), expected);
    if (matches()) return;
    const arrived = new Promise<void>((resolve) => {
      const check = () => matches() && (this.arrivals.off('notified', check), resolve());
      this.arrivals.on('notified', check);
    });
    await withDeadline(arrived, ms, `${method} to become ${JSON.stringify(expected)}`);
  }
}

export interface Fixture {
  meeting: Meeting;
  media: StandInMedia;
  store: RoomStore;
  credentials: Credentials;
  events: MeetingEvent[];
  join(peer: TestPeer, request?: Partial<RequestData<'join'>>): ReturnType<Meeting['join']>;
}

export async function meetingFixture(
  settings: { lobby?: boolean; locked?: boolean; webinar?: boolean; maxPeers?: number; maxAttendees?: number; passwordHash?: string; limits?: RoomLimits; egress?: Egress<Meeting> } = {},
  store: RoomStore = new MemoryRoomStore(),
): Promise<Fixture> {
  const credentials = new Credentials('a-test-secret-of-enough-length-000', 3600);
  const id = 'room-under-test-000000';
  await store.createRoom({
    id,
    createdAt: Date.now(),
    lobby: settings.lobby ?? true,
    locked: settings.locked ?? false,
    webinar: settings.webinar ?? false,
    ...(settings.passwordHash ? { passwordHash: settings.passwordHash } : {}),
  });
  const media = new StandInMedia();
  const meeting = new Meeting(id, media as unknown as MediaRoom, (await store.getRoom(id))!, {
    records: new MeetingRecords(store, id, 'node-test'),
    streamKeys: new StreamKeys(store, 'node-test'),
    credentials,
    ice: () => ({ iceServers: [], iceTransportPolicy: 'all' }),
    maxPeers: settings.maxPeers ?? 50,
    maxAttendees: settings.maxAttendees ?? 1000,
    limits: (settings.limits ?? new RoomLimits()).of(id),
    logger: pino({ level: 'silent' }),
    phones: undefined,
    egress: settings.egress,
  });
  const events: MeetingEvent[] = [];
  meeting.on('event', (event) => events.push(event));
  const join = (peer: TestPeer, request: Partial<RequestData<'join'>> = {}) => {
    if (!meeting.roster.isAttached(peer)) meeting.attach(peer);
    return meeting.join(peer, { displayName: peer.id, rtpCapabilities: { codecs: [], headerExtensions: [] }, ...request });
  };
  return { meeting, media, store, credentials, events, join };
}

/** A host in the meeting, entered with a host credential. */
export async function hostIn(fixture: Fixture, id = 'host'): Promise<TestPeer> {
  const host = new TestPeer(id);
  await fixture.join(host, { credential: await fixture.credentials.issue(fixture.meeting.id, 'host') });
  return host;
}
