/**
 * The management API's reach into meetings, wherever they are live. An
 * action runs on this node's meeting when it is live here; otherwise on a
 * node the room store names as serving it (the target's node for a
 * removal, the recording or streaming node to stop one, else any node with
 * people in the meeting), through a signed POST /internal/admin that runs
 * it there; and with nobody in the meeting anywhere, only what needs no
 * meeting is done (ending it deletes the room). The receiving node never
 * forwards again: it answers `notLive` and the sender tries the next node.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyBaseLogger } from 'fastify';
import type { Cluster } from '../cluster/cluster.js';
import { postInternal } from '../cluster/internal-client.js';
import type { Meetings } from '../meeting/meetings.js';
import { runServerAction, type ServerAction, type ServerActionResult } from '../meeting/server-actions.js';
import { streamPeerPrefix } from '../meeting/stream-keys.js';
import { SignallingError, type ErrorCode } from '../protocol/errors.js';
import { ID_PATTERN } from '../protocol/grammar.js';
import { StreamTarget, type RecordingInfo, type StreamKeyInfo } from '../protocol/messages.js';
import { errorResponseBody } from '../signalling/error-response.js';
import { ROOM_ID_PATTERN } from '../store/room-id.js';
import type { ParticipantRecord, RoomListing, RoomRecord, RoomStore } from '../store/room-store.js';

const PeerId = Type.String({ pattern: ID_PATTERN });

/**
 * POST /internal/admin. The branches are open objects: Fastify's validator
 * strips properties that a strict branch tried first does not know, which
 * would break both the union and the signature over the body.
 */
export const ForwardedActionSchema = Type.Object(
  {
    roomId: Type.String({ pattern: ROOM_ID_PATTERN }),
    action: Type.Union([
      Type.Object({ action: Type.Literal('remove'), peerId: PeerId }),
      Type.Object({ action: Type.Literal('end') }),
      Type.Object({ action: Type.Literal('startRecording'), tracks: Type.Boolean() }),
      Type.Object({ action: Type.Literal('stopRecording') }),
      Type.Object({ action: Type.Literal('startStreaming'), url: StreamTarget }),
      Type.Object({ action: Type.Literal('stopStreaming') }),
      Type.Object({ action: Type.Literal('listRecordings') }),
    ]),
  },
  { additionalProperties: false },
);
export interface ForwardedAction {
  roomId: string;
  action: ServerAction;
}

/** What the node that ran (or could not run) a forwarded action says. */
export type ForwardAnswer =
  | { outcome: 'done'; recordings?: RecordingInfo[] }
  /** The meeting is not live there (any more): try another node. */
  | { outcome: 'notLive' }
  /** The meeting refused: the error to give the API's caller. */
  | { outcome: 'refused'; code: ErrorCode; message: string };

export interface MeetingControlDeps {
  meetings: Pick<Meetings, 'live' | 'endUnattended' | 'recordings' | 'streamKeys' | 'viewerToken'>;
  store: RoomStore;
  cluster: Pick<Cluster, 'nodeId' | 'shared' | 'node'>;
  /** The deployment's shared secret, which signs node-to-node requests; forwarding needs it. */
  secret: string | undefined;
  logger: FastifyBaseLogger;
}

const noSuchRoom = () => new SignallingError('room_not_found', 'no such meeting: it has ended or expired, or never existed');

export class MeetingControl {
  constructor(private readonly deps: MeetingControlDeps) {}

  /** Every live room of the deployment, oldest first. */
  rooms(): Promise<RoomListing[]> {
    return this.deps.store.listRooms();
  }

  /** Who is in a meeting or its lobby, on any node. */
  async participants(roomId: string): Promise<ParticipantRecord[]> {
    const [record, participants] = await Promise.all([this.deps.store.getRoom(roomId), this.deps.store.listParticipants(roomId)]);
    if (!record) throw noSuchRoom();
    return participants.sort((a, b) => a.joinedAt - b.joinedAt);
  }

  createStreamKey(roomId: string, label: string): Promise<{ streamKey: StreamKeyInfo; key: string }> {
    return this.deps.meetings.streamKeys.create(roomId, label);
  }

  async listStreamKeys(roomId: string): Promise<StreamKeyInfo[]> {
    if (!(await this.deps.store.getRoom(roomId))) throw noSuchRoom();
    return this.deps.meetings.streamKeys.list(roomId);
  }

  /** Revokes a key, and its live stream leaves the meeting, on whichever node publishes it. */
  async revokeStreamKey(roomId: string, keyId: string): Promise<void> {
    if (!(await this.deps.store.getRoom(roomId))) throw noSuchRoom();
    await this.deps.meetings.streamKeys.revoke(roomId, keyId);
    const publishing = (await this.deps.store.listParticipants(roomId)).filter((participant) => participant.peerId.startsWith(streamPeerPrefix(keyId)));
    for (const { peerId } of publishing) await this.run(roomId, { action: 'remove', peerId });
  }

  viewerToken(roomId: string): Promise<string> {
    return this.deps.meetings.viewerToken(roomId);
  }

  /** Runs `action` on the meeting wherever it is live; throws the meeting's SignallingError when it refuses. */
  async run(roomId: string, action: ServerAction): Promise<ServerActionResult> {
    const meeting = await this.deps.meetings.live(roomId);
    if (meeting) return runServerAction(meeting, action);
    const [record, participants] = await Promise.all([this.deps.store.getRoom(roomId), this.deps.store.listParticipants(roomId)]);
    if (!record) throw noSuchRoom();
    for (const nodeId of this.nodesFor(action, record, participants)) {
      const answer = await this.forward(nodeId, { roomId, action });
      if (answer === undefined || answer.outcome === 'notLive') continue;
      if (answer.outcome === 'refused') throw new SignallingError(answer.code, answer.message);
      return answer.recordings ? { recordings: answer.recordings } : {};
    }
    return this.unattended(roomId, action);
  }

  /** An action another node forwarded here: run on this node's meeting, never forwarded again. */
  async serve({ roomId, action }: ForwardedAction): Promise<ForwardAnswer> {
    const meeting = await this.deps.meetings.live(roomId);
    if (!meeting) return { outcome: 'notLive' };
    try {
      return { outcome: 'done', ...(await runServerAction(meeting, action)) };
    } catch (error) {
      // As a host would be told: the meeting's own refusals word for word, anything else logged here and named only.
      return { outcome: 'refused', ...errorResponseBody(error, this.deps.logger) };
    }
  }

  /** The other nodes that may run `action`, the likeliest first. */
  private nodesFor(action: ServerAction, record: RoomRecord, participants: ParticipantRecord[]): string[] {
    if (action.action === 'remove') return this.others(participants.filter((p) => p.peerId === action.peerId).map((p) => p.nodeId));
    const egressNodes = [record.recordingNode, record.streamingNode].filter((node): node is string => node !== undefined);
    const stopping = action.action === 'stopRecording' ? record.recordingNode : action.action === 'stopStreaming' ? record.streamingNode : undefined;
    const byState = (state: ParticipantRecord['state']) => participants.filter((p) => p.state === state).map((p) => p.nodeId);
    // A node that only records (nobody there) still serves the meeting.
    return this.others([...(stopping ? [stopping] : []), ...byState('joined'), ...byState('waiting'), ...egressNodes]);
  }

  private others(nodeIds: string[]): string[] {
    return [...new Set(nodeIds)].filter((nodeId) => nodeId !== this.deps.cluster.nodeId);
  }

  /** Undefined when there is no such live node to ask (a single node, or a node whose heartbeat lapsed). */
  private async forward(nodeId: string, request: ForwardedAction): Promise<ForwardAnswer | undefined> {
    const { cluster, secret, logger } = this.deps;
    if (!cluster.shared || secret === undefined) return undefined;
    const node = await cluster.node(nodeId);
    if (!node) return undefined;
    try {
      return await postInternal<ForwardAnswer>(node.internalUrl, '/internal/admin', request, secret);
    } catch (error) {
      logger.warn({ err: error, nodeId, roomId: request.roomId, action: request.action.action }, 'the node serving a meeting did not take an API action');
      throw new SignallingError('unavailable', 'the node serving this meeting did not answer; please try again');
    }
  }

  /** Nobody is in the meeting on any node. */
  private async unattended(roomId: string, action: ServerAction): Promise<ServerActionResult> {
    switch (action.action) {
      case 'end':
        await this.deps.meetings.endUnattended(roomId);
        return {};
      case 'remove':
        throw new SignallingError('not_found', 'that participant is not in this meeting');
      case 'listRecordings':
        return { recordings: await this.deps.meetings.recordings(roomId) };
      default:
        throw new SignallingError('invalid_state', 'nobody is in this meeting');
    }
  }
}
