/**
 * The rules of a webinar, for one meeting on this node: who sees whom,
 * the audience count, questions and answers, and moving people between
 * the panel (hosts and participants, who send) and the audience
 * (attendees, who only receive).
 *
 * - Attendees see the panel and a count, never each other: an attendee's
 *   arrival, change or departure reaches panelists only, so a join costs
 *   notifications to the panel, not to the whole audience. Everyone hears
 *   the count (`audienceChanged`) at most once a second.
 * - Questions: attendees ask, panelists see each one and answer or dismiss
 *   it; an answered question goes to everyone, and the asker always
 *   learns what became of theirs. Each node keeps the board, and every
 *   change goes to the other nodes as a question event.
 * - A host makes an attendee a panelist (a send transport and a
 *   participant's credential) or a panelist an attendee (their media
 *   stops, their send transport closes, an attendee's credential).
 *
 * The meeting calls in here; this file knows the roster, the media room,
 * the records and the credentials, but nothing of sockets or the cluster.
 */
import type { Credentials } from '../auth/credentials.js';
import type { MediaRoom } from '../media/media-room.js';
import { SignallingError } from '../protocol/errors.js';
import { CHAT_BURST, CHAT_REFILL_MS } from '../protocol/limits.js';
import type { NotificationData, PeerInfo, Question, Role } from '../protocol/messages.js';
import type { Peer } from '../roster/peer.js';
import { isPanelist, type Roster } from '../roster/roster.js';
import { LobbyNotices } from './lobby-notices.js';
import { QuestionBoard } from './questions.js';
import type { MeetingRecords } from './records.js';
import { TokenBucket } from './token-bucket.js';

/** Everyone hears the audience count at most this often (the first change at once). */
const AUDIENCE_NOTICE_MS = 1_000;

export interface AudienceContext {
  readonly meetingId: string;
  readonly roster: Roster;
  readonly media: MediaRoom;
  readonly records: MeetingRecords;
  readonly credentials: Credentials;
  /** A peer as everyone else sees it. */
  info(peer: Peer): PeerInfo;
  /** Tells the other nodes about this node's peer as it is now. */
  publishPeer(peer: Peer): void;
  /** Tells the other nodes a question's new state. */
  publishQuestion(question: Question): void;
}

const NOTIFICATION_OF = { open: 'questionAsked', answered: 'questionAnswered', dismissed: 'questionDismissed' } as const;

export class Audience {
  private readonly questions = new QuestionBoard();
  private readonly questionLimits = new WeakMap<Peer, TokenBucket>();
  private readonly countNotices = new LobbyNotices(() => this.sendCount(), AUDIENCE_NOTICE_MS);

  constructor(private readonly context: AudienceContext) {}

  // --- Who sees whom --------------------------------------------------------------

  /** Someone entered (here, `except` is them, or on another node): the panel sees everyone, attendees see the panel. */
  joined(info: PeerInfo, except?: Peer): void {
    this.context.roster.broadcast('peerJoined', { peer: info }, except, isPanelist(info.role) ? 'everyone' : 'panelists');
    if (!isPanelist(info.role)) this.countChanged();
  }

  /**
   * Someone changed (hand, media, role; `before` is the role they had):
   * the panel sees the change; attendees see a panelist change, a new
   * panelist appear, or one who became an attendee vanish.
   */
  changed(info: PeerInfo, before: Role, except?: Peer): void {
    const { roster } = this.context;
    const was = isPanelist(before);
    const is = isPanelist(info.role);
    if (!was && !is) return roster.broadcast('peerUpdated', { peer: info }, except, 'panelists');
    if (was && is) return roster.broadcast('peerUpdated', { peer: info }, except);
    roster.broadcast('peerUpdated', { peer: info }, except, 'panelists');
    if (is) roster.broadcast('peerJoined', { peer: info }, except, 'attendees');
    else roster.broadcast('peerLeft', { peerId: info.id }, except, 'attendees');
    this.countChanged();
  }

  /** Someone left: only the panel knew an attendee. */
  left(peerId: string, role: Role): void {
    this.context.roster.broadcast('peerLeft', { peerId }, undefined, isPanelist(role) ? 'everyone' : 'panelists');
    if (!isPanelist(role)) this.countChanged();
  }

  /** What a newcomer with `role` is told in `joined`: the people it may see, the count and its questions. */
  welcome(peer: Peer, role: Role): Pick<NotificationData<'joined'>, 'peers' | 'audience' | 'questions'> {
    return {
      peers: this.context.roster.infos((other) => this.context.info(other), peer, role),
      audience: this.context.roster.audienceSize(),
      questions: this.questions.visibleTo(peer.id, isPanelist(role)),
    };
  }

  /** The audience grew or shrank: everyone hears the new count, at most once a second. */
  countChanged(): void {
    this.countNotices.changed();
  }

  private sendCount(): void {
    this.context.roster.broadcast('audienceChanged', { count: this.context.roster.audienceSize() });
  }

  // --- Panel and audience -----------------------------------------------------------

  /** An attendee of this node joins the panel as a participant, with a send transport made for them. */
  async makePanelist(target: Peer): Promise<void> {
    if (isPanelist(target.role)) return;
    if (target.kind === 'viewer') throw new SignallingError('invalid_state', 'a WHEP player only watches; it cannot join the panel');
    const { media, credentials, records, meetingId } = this.context;
    const [credential, send] = await Promise.all([
      credentials.issue(meetingId, 'participant', target.credentialId),
      media.createTransport(target.id, 'send'),
    ]);
    await records.participant(target.id, target.displayName, 'participant', 'joined');
    if (target.state !== 'joined' || isPanelist(target.role)) return;
    target.setRole('participant');
    target.notify('becamePanelist', { send, credential, peers: this.context.roster.infos((other) => this.context.info(other), target) });
    this.changed(this.context.info(target), 'attendee', target);
    this.context.publishPeer(target);
  }

  /** A panelist of this node joins the audience: whatever they send stops and their send transport closes. */
  async makeAttendee(target: Peer): Promise<void> {
    if (!isPanelist(target.role)) return;
    if (target.phone) throw new SignallingError('invalid_state', 'someone on the phone cannot be an attendee');
    if (target.kind === 'stream') throw new SignallingError('invalid_state', 'a WHIP stream only sends; stop its share or remove it instead');
    const { media, credentials, records, meetingId } = this.context;
    const credential = await credentials.issue(meetingId, 'attendee', target.credentialId);
    await records.participant(target.id, target.displayName, 'attendee', 'joined');
    if (target.state !== 'joined' || !isPanelist(target.role)) return;
    const before = target.role;
    // The role first: the producers' closing is then announced to the panel alone.
    target.setRole('attendee');
    media.closeSending(target.id);
    const { peers, audience } = this.welcome(target, 'attendee');
    target.notify('becameAttendee', { credential, peers, audience });
    this.changed(this.context.info(target), before, target);
    this.context.publishPeer(target);
  }

  // --- Questions ---------------------------------------------------------------------

  /** An attendee asks; the panel (and the asker) see it. Rate-limited like chat. */
  ask(asker: Peer, text: string): string {
    const trimmed = text.trim();
    if (!trimmed) throw new SignallingError('bad_message', 'askQuestion: /data/text: the question is empty');
    let limit = this.questionLimits.get(asker);
    if (!limit) this.questionLimits.set(asker, (limit = new TokenBucket(CHAT_BURST, CHAT_REFILL_MS)));
    if (!limit.take()) throw new SignallingError('rate_limited', 'you are asking questions too quickly; wait a moment');
    const question = this.questions.ask(asker, trimmed);
    this.deliver(question);
    this.context.publishQuestion(question);
    return question.id;
  }

  answer(panelist: Peer, questionId: string, text: string): void {
    const trimmed = text.trim();
    if (!trimmed) throw new SignallingError('bad_message', 'answerQuestion: /data/text: the answer is empty');
    const question = this.questions.answer(questionId, panelist, trimmed);
    this.deliver(question);
    this.context.publishQuestion(question);
  }

  dismiss(questionId: string): void {
    const question = this.questions.dismiss(questionId);
    this.deliver(question);
    this.context.publishQuestion(question);
  }

  /** A question's state from another node; told here only if it is news. */
  remoteQuestion(question: Question): void {
    if (this.questions.put(question)) this.deliver(question);
  }

  /** Every question this node knows, for a node that starts serving the meeting. */
  publishQuestions(): void {
    for (const question of this.questions.all()) this.context.publishQuestion(question);
  }

  /** An answered question reaches everyone; an open or dismissed one the panel and its asker. */
  private deliver(question: Question): void {
    const method = NOTIFICATION_OF[question.state];
    const everyone = question.state === 'answered';
    this.context.roster.broadcast(method, { question }, undefined, everyone ? 'everyone' : 'panelists');
    const asker = this.context.roster.get(question.peerId);
    if (!everyone && asker?.state === 'joined' && !isPanelist(asker.role)) asker.notify(method, { question });
  }

  /** Nothing more goes out (the meeting closed). */
  stop(): void {
    this.countNotices.stop();
  }
}
