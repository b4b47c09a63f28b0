/** What every participant may ask: joining, media, chat and presence. Thin adapters onto the meeting and its media. */
import type { RtpCapabilities } from '../protocol/mediasoup-schemas.js';
import { SignallingError } from '../protocol/errors.js';
import { FIRST_MEDIA_STAGES, type RequestMethod } from '../protocol/messages.js';
import { done, PANELISTS, type HandlerTable } from './handler.js';

type ParticipantMethod = Exclude<
  RequestMethod,
  | 'admit'
  | 'admitAll'
  | 'deny'
  | 'promote'
  | 'muteParticipant'
  | 'muteAll'
  | 'askToUnmute'
  | 'stopCamera'
  | 'stopScreenShare'
  | 'removeParticipant'
  | 'setRoomLocked'
  | 'setLobbyEnabled'
  | 'endMeeting'
  | 'dialOut'
  | 'startRecording'
  | 'stopRecording'
  | 'listRecordings'
  | 'startStreaming'
  | 'stopStreaming'
  | 'createStreamKey'
  | 'listStreamKeys'
  | 'revokeStreamKey'
  | 'createViewerToken'
  | 'setWebinar'
  | 'makePanelist'
  | 'makeAttendee'
>;

export const participantHandlers: HandlerTable<ParticipantMethod> = {
  getRouterRtpCapabilities: {
    states: ['connected'],
    async run(session) {
      const meeting = await session.attachedMeeting();
      return { data: { rtpCapabilities: meeting.media.router.rtpCapabilities as RtpCapabilities } };
    },
  },
  join: {
    states: ['connected'],
    async run(session, request) {
      const started = performance.now();
      const data = await (await session.attachedMeeting()).join(session.peer, request);
      if (data.status === 'joined') session.deps.metrics.joinDuration.observe((performance.now() - started) / 1000);
      return { data };
    },
  },
  createWebRtcTransport: {
    states: ['joined'],
    async run(session, { direction }) {
      if (direction === 'send' && session.peer.role === 'attendee') throw new SignallingError('forbidden', 'attendees cannot send media');
      const { media } = await session.attachedMeeting();
      const data = await media.createTransport(session.peer.id, direction);
      return { data, afterResponse: direction === 'recv' ? () => media.consumeExisting(session.peer.id) : undefined };
    },
  },
  connectWebRtcTransport: {
    states: ['joined'],
    async run(session, data) {
      await (await session.attachedMeeting()).media.connectTransport(session.peer.id, data);
      return done;
    },
  },
  restartIce: {
    states: ['joined'],
    async run(session, { transportId }) {
      const iceParameters = await (await session.attachedMeeting()).media.restartIce(session.peer.id, transportId);
      return { data: { iceParameters } };
    },
  },
  produce: {
    states: ['joined'],
    roles: PANELISTS,
    async run(session, data) {
      const { media } = await session.attachedMeeting();
      const producerId = await media.produce(session.peer.id, data);
      return { data: { producerId }, afterResponse: () => media.consumeFromAll(session.peer.id, producerId) };
    },
  },
  pauseProducer: {
    states: ['joined'],
    async run(session, { producerId }) {
      await (await session.attachedMeeting()).media.setProducerPaused(session.peer.id, producerId, true);
      return done;
    },
  },
  resumeProducer: {
    states: ['joined'],
    async run(session, { producerId }) {
      await (await session.attachedMeeting()).media.setProducerPaused(session.peer.id, producerId, false);
      return done;
    },
  },
  closeProducer: {
    states: ['joined'],
    async run(session, { producerId }) {
      (await session.attachedMeeting()).media.closeProducer(session.peer.id, producerId);
      return done;
    },
  },
  resumeConsumer: {
    states: ['joined'],
    async run(session, { consumerId }) {
      await (await session.attachedMeeting()).media.setConsumerPaused(session.peer.id, consumerId, false);
      return done;
    },
  },
  pauseConsumer: {
    states: ['joined'],
    async run(session, { consumerId }) {
      await (await session.attachedMeeting()).media.setConsumerPaused(session.peer.id, consumerId, true);
      return done;
    },
  },
  setConsumerPreferredLayers: {
    states: ['joined'],
    async run(session, { consumerId, spatialLayer }) {
      await (await session.attachedMeeting()).media.setPreferredLayers(session.peer.id, consumerId, spatialLayer);
      return done;
    },
  },
  sendChat: {
    states: ['joined'],
    roles: PANELISTS,
    async run(session, { text }) {
      await (await session.attachedMeeting()).chat(session.peer, text);
      return done;
    },
  },
  askQuestion: {
    states: ['joined'],
    roles: ['attendee'],
    async run(session, { text }) {
      return { data: { questionId: (await session.attachedMeeting()).askQuestion(session.peer, text) } };
    },
  },
  answerQuestion: {
    states: ['joined'],
    roles: PANELISTS,
    async run(session, { questionId, text }) {
      (await session.attachedMeeting()).answerQuestion(session.peer, questionId, text);
      return done;
    },
  },
  dismissQuestion: {
    states: ['joined'],
    roles: PANELISTS,
    async run(session, { questionId }) {
      (await session.attachedMeeting()).dismissQuestion(questionId);
      return done;
    },
  },
  setHandRaised: {
    states: ['joined'],
    async run(session, { raised }) {
      (await session.attachedMeeting()).setHandRaised(session.peer, raised);
      return done;
    },
  },
  sendReaction: {
    states: ['joined'],
    async run(session, { reaction }) {
      (await session.attachedMeeting()).react(session.peer, reaction);
      return done;
    },
  },
  reportTimeToFirstMedia: {
    states: ['joined'],
    async run(session, { milliseconds, stages = {} }) {
      if (session.firstMediaReported) return done;
      session.firstMediaReported = true;
      const { metrics } = session.deps;
      metrics.timeToFirstMedia.observe(milliseconds / 1000);
      for (const stage of FIRST_MEDIA_STAGES) {
        const at = stages[stage];
        if (at !== undefined) metrics.firstMediaStage.observe({ stage }, at / 1000);
      }
      return done;
    },
  },
  resume: {
    states: ['connected'],
    async run(session, { peerId, credential }) {
      const claims = await session.deps.credentials.verify(credential, session.roomId).catch(() => undefined);
      // Only the right credential for the same meeting takes the session out; a wrong one changes nothing.
      const held =
        claims && session.deps.suspended.claim(peerId, (candidate) => candidate.roomId === session.roomId && candidate.peer.credentialId === claims.sub);
      if (!held) throw new SignallingError('not_found', 'that session has ended; join again');
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
