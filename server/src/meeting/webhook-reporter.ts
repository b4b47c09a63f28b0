/**
 * Turns what happens in the meetings of this node into webhook events:
 * participant.joined the first time a peer is announced (later `peer` events
 * are updates), participant.left when it leaves (or is still there when the
 * meeting ends or closes here), room.started when the first person joins
 * here and nobody who joined earlier is in the meeting on another node, and
 * room.ended when a host ends the meeting here, or when it closes here after
 * someone joined and the room store lists nobody left on any node.
 *
 * Each node reports its own people; room.started and room.ended come from
 * whichever node sees the room start or empty, so a rare race between nodes
 * (or a store that cannot be read: then the event is sent) may report one
 * twice. Events of one meeting are handed to the webhooks in the order they
 * happened. server.ts registers `follow` with `meetings.onOpen`.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { PeerInfo } from '../protocol/messages.js';
import type { ParticipantRecord, RoomStore } from '../store/room-store.js';
import type { WebhookEvent } from '../webhooks/events.js';
import type { Meeting } from './meeting.js';

export interface WebhookSink {
  send(event: WebhookEvent): void;
}

export interface WebhookReporterDeps {
  webhooks: WebhookSink;
  store: RoomStore;
  nodeId: string;
  logger: FastifyBaseLogger;
}

type Participant = Extract<WebhookEvent, { type: 'participant.joined' }>['data'];

function participant(roomId: string, peer: PeerInfo): Participant {
  return { roomId, peerId: peer.id, displayName: peer.displayName, role: peer.role, ...(peer.phone ? { phone: true as const } : {}) };
}

export class WebhookReporter {
  /** Work not yet done (store reads before an event can be sent). */
  private readonly work = new Set<Promise<void>>();

  constructor(private readonly deps: WebhookReporterDeps) {}

  /** Reports what happens in `meeting`, which has just gone live on this node. */
  follow(meeting: Meeting): void {
    const { webhooks } = this.deps;
    const roomId = meeting.id;
    const here = new Map<string, Participant>();
    let someoneJoined = false;
    let ended = false;
    let chain = Promise.resolve();
    // Events leave in order: each step waits for the one before (some read the store first).
    const then = (step: () => void | Promise<void>) => {
      chain = chain.then(step).catch((error: unknown) => this.deps.logger.error({ err: error, roomId }, 'could not report a meeting event to the webhooks'));
      const tracked = chain;
      this.work.add(tracked);
      void tracked.finally(() => this.work.delete(tracked));
    };
    /** Everyone still here, who leaves with the meeting: taken now, reported in turn. */
    const everyoneHere = () => {
      const people = [...here.values()];
      here.clear();
      return (reason: string) => {
        for (const person of people) webhooks.send({ type: 'participant.left', data: { ...person, reason } });
      };
    };

    meeting.on('event', (event) => {
      switch (event.type) {
        case 'peer': {
          const known = here.has(event.peer.id);
          const person = participant(roomId, event.peer);
          here.set(person.peerId, person);
          if (known) return;
          const first = !someoneJoined;
          someoneJoined = true;
          return then(async () => {
            if (first && (await this.startsHere(roomId, person.peerId))) webhooks.send({ type: 'room.started', data: { roomId } });
            webhooks.send({ type: 'participant.joined', data: person });
          });
        }
        case 'peerLeft': {
          const person = here.get(event.peerId);
          if (!person) return;
          here.delete(event.peerId);
          return then(() => webhooks.send({ type: 'participant.left', data: person }));
        }
        case 'ended': {
          ended = true;
          const leave = everyoneHere();
          return then(() => {
            leave('the meeting ended');
            webhooks.send({ type: 'room.ended', data: { roomId, reason: 'ended by a host' } });
          });
        }
        case 'closed': {
          if (ended) return;
          const leave = everyoneHere();
          return then(async () => {
            // A room gone from the store was ended by a host on another node, which reports room.ended.
            const exists = await this.roomExists(roomId);
            leave(exists ? 'the meeting closed on this server' : 'the meeting ended');
            if (someoneJoined && exists && (await this.emptyEverywhere(roomId))) webhooks.send({ type: 'room.ended', data: { roomId, reason: 'empty' } });
          });
        }
      }
    });
  }

  /** Resolves once every event worked out so far has been handed to the webhooks (for a graceful shutdown). */
  async settled(): Promise<void> {
    while (this.work.size > 0) await Promise.allSettled([...this.work]);
  }

  /**
   * Whether the meeting starts with this node's first person: nobody on
   * another node joined before them (the earlier joiner's node reports it).
   */
  private async startsHere(roomId: string, peerId: string): Promise<boolean> {
    const everyone = await this.participants(roomId);
    if (!everyone) return true;
    const mine = everyone.find((record) => record.peerId === peerId);
    const since = mine?.joinedAt ?? Date.now();
    const earlier = (other: ParticipantRecord) => other.joinedAt < since || (other.joinedAt === since && other.peerId < peerId);
    return !everyone.some((other) => other.nodeId !== this.deps.nodeId && other.state === 'joined' && earlier(other));
  }

  /** Whether the room is still in the store (true if the store cannot be read). */
  private async roomExists(roomId: string): Promise<boolean> {
    try {
      return (await this.deps.store.getRoom(roomId)) !== undefined;
    } catch (error) {
      this.deps.logger.warn({ err: error, roomId }, 'room store unreadable: reporting the room event, perhaps twice');
      return true;
    }
  }

  /**
   * Whether nobody is left in the meeting on any node. This node's own
   * records are not counted: it no longer serves the meeting, and their
   * removal may still be on its way.
   */
  private async emptyEverywhere(roomId: string): Promise<boolean> {
    const everyone = await this.participants(roomId);
    return !everyone || !everyone.some((other) => other.nodeId !== this.deps.nodeId && other.state === 'joined');
  }

  /** The room's participants on every node, or undefined if the store cannot be read (the caller then sends). */
  private async participants(roomId: string) {
    try {
      return await this.deps.store.listParticipants(roomId);
    } catch (error) {
      this.deps.logger.warn({ err: error, roomId }, 'room store unreadable: reporting the room event, perhaps twice');
      return undefined;
    }
  }
}
