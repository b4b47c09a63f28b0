/** What every participant may ask: joining, media, chat and presence. */
import { randomUUID } from 'node:crypto';
import type { types } from 'mediasoup';
import { SignallingError } from '../protocol/errors.js';
import { CHAT_HISTORY_SIZE } from '../protocol/limits.js';
import type { RtpCapabilities } from '../protocol/mediasoup-schemas.js';
import type { RequestMethod } from '../protocol/messages.js';
import { decideAdmission, enterMeeting, participantRecord } from './admission.js';
import { done, type HandlerTable } from './handler.js';

type ParticipantMethod = Exclude<
  RequestMethod,
  | 'admit'
  | 'admitAll'
  | 'deny'
  | 'promote'
  | 'muteParticipant'
  | 'stopCamera'
  | 'stopScreenShare'
  | 'removeParticipant'
  | 'setRoomLocked'
  | 'setLobbyEnabled'
  | 'endMeeting'
>;

export const participantHandlers: HandlerTable<ParticipantMethod> = {
  getRouterRtpCapabilities: {
    states: ['connected'],
    async run(session) {
      const room = await session.attachedRoom();
      return { data: { rtpCapabilities: room.router.rtpCapabilities as RtpCapabilities } };
    },
  },
  join: {
    states: ['connected'],
    async run(session, { displayName, rtpCapabilities, credential, password }) {
      const { store, credentials } = session.deps;
      const room = await session.attachedRoom();
      const record = await store.getRoom(room.id);
      if (!record) throw new SignallingError('room_not_found', 'this meeting link is not valid or the meeting has ended');
      const claims = credential ? await credentials.verify(credential, room.id) : undefined;
      if (claims && (await store.isCredentialRevoked(room.id, claims.sub))) {
        throw new SignallingError('credential_revoked', 'a host turned you away from this meeting');
      }
      const admission = decideAdmission(record, claims?.role);
      // Hosts and people admitted before have shown their right to be here.
      if (record.passwordHash && claims?.role !== 'host' && claims?.role !== 'participant') {
        await session.checkPassword(password, record.passwordHash);
      }
      const { peer } = session;
      peer.credentialId = claims?.sub ?? randomUUID();
      const name = displayName.trim();
      const capabilities = rtpCapabilities as types.RtpCapabilities;
      if (admission === 'lobby') {
        room.wait(peer, name, capabilities);
        await store.addParticipant(room.id, participantRecord(peer, 'participant', 'waiting', session.deps.nodeId));
        const ticket = await credentials.issue(room.id, 'guest', peer.credentialId);
        return { data: { peerId: peer.id, status: 'waiting', credential: ticket } };
      }
      peer.displayName = name;
      peer.rtpCapabilities = capabilities;
      const issued = await enterMeeting(room, peer, admission, session.deps);
      session.deps.metrics.joinDuration.observe((Date.now() - session.openedAt) / 1000);
      return { data: { peerId: peer.id, status: 'joined', credential: issued } };
    },
  },
  createWebRtcTransport: {
    states: ['joined'],
    async run(session, { direction }) {
      const room = await session.attachedRoom();
      const data = await room.createTransport(session.peer, direction);
      return { data, afterResponse: direction === 'recv' ? () => room.consumeExisting(session.peer) : undefined };
    },
  },
  connectWebRtcTransport: {
    states: ['joined'],
    async run(session, data) {
      await (await session.attachedRoom()).connectTransport(session.peer, data);
      return done;
    },
  },
  restartIce: {
    states: ['joined'],
    async run(session, { transportId }) {
      const iceParameters = await (await session.attachedRoom()).restartIce(session.peer, transportId);
      return { data: { iceParameters } };
    },
  },
  produce: {
    states: ['joined'],
    async run(session, data) {
      const room = await session.attachedRoom();
      const producer = await room.produce(session.peer, data);
      return {
        data: { producerId: producer.id },
        afterResponse: () => room.consumeFromAll(session.peer, producer, data.source),
      };
    },
  },
  pauseProducer: {
    states: ['joined'],
    async run(session, { producerId }) {
      await (await session.attachedRoom()).setProducerPaused(session.peer, producerId, true);
      return done;
    },
  },
  resumeProducer: {
    states: ['joined'],
    async run(session, { producerId }) {
      await (await session.attachedRoom()).setProducerPaused(session.peer, producerId, false);
      return done;
    },
  },
  closeProducer: {
    states: ['joined'],
    async run(session, { producerId }) {
      (await session.attachedRoom()).closeProducer(session.peer, producerId);
      return done;
    },
  },
  resumeConsumer: {
    states: ['joined'],
    async run(session, { consumerId }) {
      await (await session.attachedRoom()).setConsumerPaused(session.peer, consumerId, false);
      return done;
    },
  },
  pauseConsumer: {
    states: ['joined'],
    async run(session, { consumerId }) {
      await (await session.attachedRoom()).setConsumerPaused(session.peer, consumerId, true);
      return done;
    },
  },
  setConsumerPreferredLayers: {
    states: ['joined'],
    async run(session, { consumerId, spatialLayer }) {
      await (await session.attachedRoom()).setPreferredLayers(session.peer, consumerId, spatialLayer);
      return done;
    },
  },
  sendChat: {
    states: ['joined'],
    async run(session, { text }) {
      const trimmed = text.trim();
      if (!trimmed) throw new SignallingError('bad_message', 'sendChat: /data/text: the message is empty');
      if (!session.chatLimiter.take()) {
        throw new SignallingError('rate_limited', 'you are sending messages too quickly; wait a moment');
      }
      const room = await session.attachedRoom();
      const { peer } = session;
      const message = { id: randomUUID(), peerId: peer.id, displayName: peer.displayName, text: trimmed, sentAt: Date.now() };
      await session.deps.store.appendChat(room.id, message, CHAT_HISTORY_SIZE);
      room.broadcast('chatMessage', { message });
      room.publish({ type: 'chat', message });
      return done;
    },
  },
  setHandRaised: {
    states: ['joined'],
    async run(session, { raised }) {
      session.peer.handRaised = raised;
      (await session.attachedRoom()).announce(session.peer);
      return done;
    },
  },
  reportTimeToFirstMedia: {
    states: ['joined'],
    async run(session, { milliseconds }) {
      if (!session.firstMediaReported) session.deps.metrics.timeToFirstMedia.observe(milliseconds / 1000);
      session.firstMediaReported = true;
      return done;
    },
  },
  resume: {
    states: ['connected'],
    async run(session, { peerId, credential }) {
      const gone = new SignallingError('not_found', 'that session has ended; join again');
      const claims = await session.deps.credentials.verify(credential, session.roomId).catch(() => undefined);
      const held = session.deps.suspended.claim(peerId);
      if (!held) throw gone;
      if (!claims || held.roomId !== session.roomId || claims.sub !== held.peer.credentialId) {
        session.deps.suspended.hold(held);
        throw gone;
      }
      await session.close();
      return { data: {}, adopt: held };
    },
  },
  leave: {
    states: ['connected', 'waiting', 'joined'],
    async run(session) {
      await session.close();
      return done;
    },
  },
};
