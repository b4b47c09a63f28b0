/**
 * A WHIP publisher (OBS, an encoder, a plain page): it enters the meeting
 * under its stream key's label and sends its video and audio as a screen
 * share (`screen`, `screen-audio`), so everyone, on every node, and the
 * recorder see it on the stage.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Meetings } from '../meeting/meetings.js';
import { streamPeerPrefix } from '../meeting/stream-keys.js';
import type { RtpParameters } from '../protocol/mediasoup-schemas.js';
import type { StreamKeyInfo } from '../protocol/messages.js';
import { HttpSession, type TransportDescription } from './http-session.js';
import { writeAnswer, type AnswerInput } from './sdp-answer.js';
import type { Offer } from './sdp-offer.js';
import { publishParameters, requireSupportedCodec } from './sdp-rtp.js';

export class WhipPublisher extends HttpSession {
  private accepted: string[] = [];

  private constructor(roomId: string, key: StreamKeyInfo, address: string, logger: FastifyBaseLogger) {
    super(roomId, 'stream', `${streamPeerPrefix(key.id)}${randomBytes(6).toString('hex')}`, address, logger);
  }

  get mids(): string[] {
    return this.accepted;
  }

  /** Publishes `offer` into the meeting; the answer, or the session ended and an error thrown. */
  static async start(meetings: Meetings, roomId: string, key: StreamKeyInfo, offer: Offer, address: string, logger: FastifyBaseLogger) {
    const session = new WhipPublisher(roomId, key, address, logger);
    try {
      return { session, answer: await session.publish(meetings, key, offer) };
    } catch (error) {
      session.end();
      throw error;
    }
  }

  private async publish(meetings: Meetings, key: StreamKeyInfo, offer: Offer): Promise<string> {
    const meeting = (this.meeting = await meetings.attach(this.roomId, this.peer));
    const router = meeting.media.router.rtpCapabilities;
    requireSupportedCodec(offer.media, router);
    const plans = offer.media.map((media) => ({ media, parameters: publishParameters(media, router) }));
    await meeting.joinAsStream(this.peer, key);
    this.assertLive();
    const transport = (await meeting.media.createTransport(this.peer.id, 'send')) as unknown as TransportDescription;
    await this.connect(meeting, transport, offer);
    const answered: AnswerInput['media'] = [];
    for (const line of offer.lines) {
      const plan = plans.find((candidate) => candidate.media.mid === line.mid && candidate.parameters);
      if (!plan?.parameters) {
        answered.push({ mid: line.mid, accepted: false });
        continue;
      }
      const { media, parameters } = plan;
      const producerId = await meeting.media.produce(this.peer.id, {
        transportId: transport.id,
        kind: media.kind,
        source: media.kind === 'video' ? 'screen' : 'screen-audio',
        rtpParameters: parameters as RtpParameters,
      });
      await meeting.media.consumeFromAll(this.peer.id, producerId);
      this.assertLive();
      this.accepted.push(line.mid);
      answered.push({
        mid: line.mid,
        accepted: true,
        direction: 'recvonly',
        codecs: parameters.codecs,
        headerExtensions: parameters.headerExtensions ?? [],
        ...(media.rids.length > 0 ? { rids: media.rids } : {}),
      });
    }
    this.logger.info({ roomId: this.roomId, keyId: key.id, mids: this.accepted }, 'a WHIP stream started');
    return writeAnswer({ offer, ice: transport.iceParameters, candidates: transport.iceCandidates, dtls: transport.dtlsParameters, media: answered });
  }
}
