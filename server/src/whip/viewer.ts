/**
 * A WHEP player: an attendee of the meeting that receives exactly two
 * streams, on the two m-lines of its offer. Video is the stage (`Stage`),
 * swapped in place on the same mid when the stage moves; audio is the
 * meeting's mix (`RoomMix`). Nothing it offered beyond what the router has
 * is answered: RTX is left out, so a swapped stream needs no new SSRC
 * signalling (lost packets are resent on the stream itself).
 */
import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { types } from 'mediasoup';
import type { CredentialClaims } from '../auth/credentials.js';
import type { Meeting } from '../meeting/meeting.js';
import type { Meetings } from '../meeting/meetings.js';
import { HttpSession, type TransportDescription } from './http-session.js';
import type { RoomMix } from './room-mix.js';
import { writeAnswer, type AnswerInput } from './sdp-answer.js';
import type { Offer, OfferedMedia } from './sdp-offer.js';
import { requireSupportedCodec, watchCapabilities } from './sdp-rtp.js';
import type { Stage } from './stage.js';

/** What a meeting's viewers on this node share: its stage, its mix, and routers of their payload types. */
export interface ViewerFeeds {
  stage(meeting: Meeting): Promise<{ stage: Stage; release: () => void }>;
  mix(meeting: Meeting): Promise<{ mix: RoomMix; release: () => void }>;
  router(meeting: Meeting, codecs: types.RouterRtpCodecCapability[]): Promise<{ router: types.Router; release: () => void }>;
}

interface Line {
  media: OfferedMedia;
  capabilities: types.RtpCapabilities;
}

export class WhepViewer extends HttpSession {
  private lines: Line[] = [];
  /** What the video m-line shows: the stage's producer, and its consumer (of its copy in this player's router). */
  private video: { producerId: string; consumer: types.Consumer } | undefined;
  /** Stage moves are applied one after another. */
  private showing: Promise<void> = Promise.resolve();

  private constructor(roomId: string, address: string, logger: FastifyBaseLogger) {
    super(roomId, 'viewer', `whep-${randomBytes(9).toString('hex')}`, address, logger);
  }

  get mids(): string[] {
    return this.lines.map(({ media }) => media.mid);
  }

  static async start(meetings: Meetings, feeds: ViewerFeeds, roomId: string, claims: CredentialClaims, offer: Offer, address: string, logger: FastifyBaseLogger) {
    const session = new WhepViewer(roomId, address, logger);
    try {
      return { session, answer: await session.watch(meetings, feeds, claims, offer) };
    } catch (error) {
      session.end();
      throw error;
    }
  }

  private async watch(meetings: Meetings, feeds: ViewerFeeds, claims: CredentialClaims, offer: Offer): Promise<string> {
    const meeting = (this.meeting = await meetings.attach(this.roomId, this.peer));
    const router = meeting.media.router.rtpCapabilities;
    requireSupportedCodec(offer.media, router);
    for (const media of offer.media) {
      const capabilities = withoutRtx(watchCapabilities(media, router));
      if (capabilities?.codecs?.length) this.lines.push({ media, capabilities });
    }
    const capabilities: types.RtpCapabilities = {
      codecs: this.lines.flatMap(({ capabilities }) => capabilities.codecs ?? []),
      headerExtensions: this.lines.flatMap(({ capabilities }) => capabilities.headerExtensions ?? []),
    };
    await meeting.joinAsViewer(this.peer, claims, capabilities);
    const { router: own, release } = await feeds.router(meeting, routerCodecs(capabilities));
    this.assertLive();
    // A router that dies with its worker ends its players; a player that ends first lets go of it.
    const lost = () => this.end();
    own.observer.once('close', lost);
    this.onEnded(() => {
      own.observer.off('close', lost);
      release();
    });
    meeting.media.addViewer(this.peer.id, capabilities, this.peer.notify, own);
    const transport = (await meeting.media.createTransport(this.peer.id, 'recv')) as unknown as TransportDescription;
    await this.connect(meeting, transport, offer);
    for (const { media } of this.lines) {
      if (media.kind === 'audio') await this.hearMix(meeting, feeds, media.mid);
      else await this.watchStage(meeting, feeds, media.mid);
      this.assertLive();
    }
    const answered: AnswerInput['media'] = offer.lines.map((line) => {
      const accepted = this.lines.find(({ media }) => media.mid === line.mid);
      if (!accepted) return { mid: line.mid, accepted: false };
      return { mid: line.mid, accepted: true, direction: 'sendonly', ...answerParameters(accepted.capabilities, own.rtpCapabilities) };
    });
    return writeAnswer({ offer, ice: transport.iceParameters, candidates: transport.iceCandidates, dtls: transport.dtlsParameters, media: answered });
  }

  private async hearMix(meeting: Meeting, feeds: ViewerFeeds, mid: string): Promise<void> {
    const { mix, release } = await feeds.mix(meeting);
    // The mix lost its worker: its players end, and come back to a new one.
    const forget = mix.onLost(() => this.end());
    this.onEnded(() => {
      forget();
      release();
    });
    this.assertLive();
    await meeting.media.consumeAs(this.peer.id, mix.producerId, mid);
  }

  private async watchStage(meeting: Meeting, feeds: ViewerFeeds, mid: string): Promise<void> {
    const { stage, release } = await feeds.stage(meeting);
    const follow = () => this.show(meeting, stage, mid);
    stage.on('changed', follow);
    this.onEnded(() => {
      stage.off('changed', follow);
      release();
    });
    follow();
  }

  /** Puts the stage's video on the player's video m-line, in place of what was there. */
  private show(meeting: Meeting, stage: Stage, mid: string): void {
    this.showing = this.showing.then(async () => {
      const producerId = stage.current();
      if (this.ended || (this.video && !this.video.consumer.closed && this.video.producerId === producerId)) return;
      this.video?.consumer.close();
      this.video = undefined;
      if (!producerId) return;
      try {
        const consumer = await meeting.media.consumeAs(this.peer.id, producerId, mid);
        // Once the room has forgotten the closed producer (a piped one leaves no event the stage hears).
        consumer.on('producerclose', () => setImmediate(() => stage.recheck()));
        this.video = { producerId, consumer };
      } catch (error) {
        // The player cannot decode this stage's codec, or the producer went meanwhile.
        this.logger.info({ err: error, sessionId: this.id }, 'a WHEP player cannot show the stage');
      }
    });
  }
}

function withoutRtx(capabilities: types.RtpCapabilities | undefined): types.RtpCapabilities | undefined {
  if (!capabilities) return undefined;
  return { ...capabilities, codecs: (capabilities.codecs ?? []).filter((codec) => codec.mimeType.toLowerCase() !== `${codec.kind}/rtx`) };
}

/** A router sending exactly the player's codecs under the player's payload types. */
function routerCodecs(capabilities: types.RtpCapabilities): types.RouterRtpCodecCapability[] {
  return (capabilities.codecs ?? []).map(({ kind, mimeType, clockRate, channels, parameters, preferredPayloadType }) => ({
    kind,
    mimeType,
    clockRate,
    ...(channels ? { channels } : {}),
    ...(parameters ? { parameters } : {}),
    preferredPayloadType,
  }));
}

/**
 * The answer's codecs and extensions: what the player offered and the
 * router has, with the player's numbers. An extension is kept only where
 * the player's id is the router's own: mediasoup sends its own ids.
 */
function answerParameters(
  capabilities: types.RtpCapabilities,
  router: types.RtpCapabilities,
): { codecs: types.RtpCodecParameters[]; headerExtensions: types.RtpHeaderExtensionParameters[] } {
  const sameId = (extension: types.RtpHeaderExtension) =>
    (router.headerExtensions ?? []).some((own) => own.uri === extension.uri && own.preferredId === extension.preferredId && own.kind === extension.kind);
  return {
    codecs: (capabilities.codecs ?? []).map((codec) => ({
      mimeType: codec.mimeType,
      payloadType: codec.preferredPayloadType!,
      clockRate: codec.clockRate,
      ...(codec.channels ? { channels: codec.channels } : {}),
      parameters: codec.parameters ?? {},
      rtcpFeedback: codec.rtcpFeedback ?? [],
    })),
    headerExtensions: (capabilities.headerExtensions ?? []).filter(sameId).map((extension) => ({ uri: extension.uri, id: extension.preferredId })),
  };
}
