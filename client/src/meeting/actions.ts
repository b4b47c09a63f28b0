/**
 * What the views may ask of the meeting, one typed function each. Only this
 * module turns them into signalling requests; the server authorises every
 * one of them.
 */
import type { ErrorCode } from '@protocol/errors';
import type { FirstMediaStages, Reaction, RequestData, RequestMethod, ResponseData, StreamKeyInfo } from '@protocol/messages';
import { PlainError, plainError, sentence } from '../plain-errors.js';
import { RequestError } from '../signalling-client.js';
import type { EgressKind } from './state.js';
import type { MeetingStore } from './store.js';

export type Request = <M extends RequestMethod>(method: M, data: RequestData<M>) => Promise<ResponseData<M>>;

export interface MeetingActions {
  admit(peerId: string): Promise<void>;
  deny(peerId: string): Promise<void>;
  admitAll(): Promise<void>;
  promote(peerId: string): Promise<void>;
  mute(peerId: string): Promise<void>;
  /** Every microphone but this tab's own. */
  muteAll(): Promise<void>;
  /** Asks; the person decides. */
  askToUnmute(peerId: string): Promise<void>;
  stopCamera(peerId: string): Promise<void>;
  stopScreenShare(peerId: string): Promise<void>;
  remove(peerId: string): Promise<void>;
  setRoomLocked(locked: boolean): Promise<void>;
  setLobbyEnabled(enabled: boolean): Promise<void>;
  setWebinar(enabled: boolean): Promise<void>;
  /** A webinar's attendee joins the panel, or a panelist the audience. */
  makePanelist(peerId: string): Promise<void>;
  makeAttendee(peerId: string): Promise<void>;
  /** An attendee asks the panel; a panelist answers or dismisses. The state follows in the server's notifications. */
  askQuestion(text: string): Promise<void>;
  answerQuestion(questionId: string, text: string): Promise<void>;
  dismissQuestion(questionId: string): Promise<void>;
  endMeeting(): Promise<void>;
  sendChat(text: string): Promise<void>;
  setHandRaised(raised: boolean): Promise<void>;
  sendReaction(reaction: Reaction): Promise<void>;
  reportTimeToFirstMedia(milliseconds: number, stages: FirstMediaStages): Promise<void>;
  /** Calls a phone (a checked target: see dial-target.ts); how it goes is in the state's `dialOut`, so this never throws. */
  dialOut(target: string): Promise<void>;
  /**
   * Records the meeting; with `tracks`, each person's audio and video are
   * also kept apart. This and the three below never throw: how the request
   * goes is in the state's `egress`, whether it runs in its `room`.
   */
  startRecording(tracks: boolean): Promise<void>;
  stopRecording(): Promise<void>;
  /** Streams the meeting live to an RTMP(S) URL (a checked one: see stream-target.ts). */
  startStreaming(url: string): Promise<void>;
  stopStreaming(): Promise<void>;
  /** Fetches the finished recordings into the state's `recordings`; a refusal goes to `egress.recording`. Never throws. */
  listRecordings(): Promise<void>;
  /**
   * A key for publishing into this meeting over WHIP, named for the stage;
   * the key itself is only in this answer. This and the three below are
   * request and response, not meeting state: a refusal throws a PlainError
   * with the server's sentence for hosts.
   */
  createStreamKey(label: string): Promise<{ streamKey: StreamKeyInfo; key: string }>;
  listStreamKeys(): Promise<StreamKeyInfo[]>;
  /** The key publishes no more; a stream it is publishing ends. */
  revokeStreamKey(keyId: string): Promise<void>;
  /** A bearer token for watching this meeting over WHEP. */
  createViewerToken(): Promise<string>;
}

type EgressMethod = 'startRecording' | 'stopRecording' | 'startStreaming' | 'stopStreaming';

export function meetingActions(request: Request, store: MeetingStore): MeetingActions {
  const send = async <M extends RequestMethod>(method: M, data: RequestData<M>) => void (await request(method, data));
  const egress = async <M extends EgressMethod>(what: EgressKind, method: M, data: RequestData<M>) => {
    store.dispatch({ type: 'local', method: 'egressAsked', data: { what } });
    try {
      await request(method, data);
      store.dispatch({ type: 'local', method: 'egressAnswered', data: { what } });
    } catch (error) {
      store.dispatch({ type: 'local', method: 'egressRefused', data: { what, message: refusal(method, error, EGRESS_REFUSALS) } });
    }
  };
  /** A host's request whose refusal is said in the server's own words. */
  const studio = async <M extends RequestMethod>(method: M, data: RequestData<M>) => {
    try {
      return await request(method, data);
    } catch (error) {
      throw new PlainError(refusal(method, error, STUDIO_REFUSALS));
    }
  };
  return {
    admit: (peerId) => send('admit', { peerId }),
    deny: (peerId) => send('deny', { peerId }),
    admitAll: () => send('admitAll', {}),
    promote: (peerId) => send('promote', { peerId }),
    mute: (peerId) => send('muteParticipant', { peerId }),
    muteAll: () => send('muteAll', {}),
    askToUnmute: (peerId) => send('askToUnmute', { peerId }),
    stopCamera: (peerId) => send('stopCamera', { peerId }),
    stopScreenShare: (peerId) => send('stopScreenShare', { peerId }),
    remove: (peerId) => send('removeParticipant', { peerId }),
    setRoomLocked: (locked) => send('setRoomLocked', { locked }),
    setLobbyEnabled: (enabled) => send('setLobbyEnabled', { enabled }),
    setWebinar: (enabled) => send('setWebinar', { enabled }),
    makePanelist: (peerId) => send('makePanelist', { peerId }),
    makeAttendee: (peerId) => send('makeAttendee', { peerId }),
    askQuestion: (text) => send('askQuestion', { text }),
    answerQuestion: (questionId, text) => send('answerQuestion', { questionId, text }),
    dismissQuestion: (questionId) => send('dismissQuestion', { questionId }),
    endMeeting: () => send('endMeeting', {}),
    sendChat: (text) => send('sendChat', { text }),
    sendReaction: (reaction) => send('sendReaction', { reaction }),
    setHandRaised: async (raised) => {
      await send('setHandRaised', { raised });
      store.dispatch({ type: 'local', method: 'handRaised', data: { raised } });
    },
    reportTimeToFirstMedia: (milliseconds, stages) => send('reportTimeToFirstMedia', { milliseconds, stages }),
    dialOut: async (target) => {
      store.dispatch({ type: 'local', method: 'dialOutStarted', data: { target } });
      try {
        const { peerId } = await request('dialOut', { target });
        store.dispatch({ type: 'local', method: 'dialOutPlaced', data: { target, peerId } });
      } catch (error) {
        store.dispatch({ type: 'local', method: 'dialOutRefused', data: { target, message: refusal('dialOut', error, DIAL_OUT_REFUSALS) } });
      }
    },
    startRecording: (tracks) => egress('recording', 'startRecording', { tracks }),
    stopRecording: () => egress('recording', 'stopRecording', {}),
    startStreaming: (url) => egress('streaming', 'startStreaming', { url }),
    stopStreaming: () => egress('streaming', 'stopStreaming', {}),
    listRecordings: async () => {
      try {
        const { recordings } = await request('listRecordings', {});
        store.dispatch({ type: 'local', method: 'recordingsListed', data: { recordings } });
      } catch (error) {
        store.dispatch({ type: 'local', method: 'egressRefused', data: { what: 'recording', message: refusal('listRecordings', error, EGRESS_REFUSALS) } });
      }
    },
    createStreamKey: (label) => studio('createStreamKey', { label }),
    listStreamKeys: async () => (await studio('listStreamKeys', {})).streamKeys,
    revokeStreamKey: async (keyId) => void (await studio('revokeStreamKey', { keyId })),
    createViewerToken: async () => (await studio('createViewerToken', {})).token,
  };
}

/** A refused destination (off the allow-list, or no dial-out here) comes as `forbidden` with the server's own sentence. */
const DIAL_OUT_REFUSALS: readonly ErrorCode[] = ['forbidden'];
/** No recorder here (`forbidden`), already recorded or not recorded (`invalid_state`): the server says so for hosts. */
const EGRESS_REFUSALS: readonly ErrorCode[] = ['forbidden', 'invalid_state'];
/** Too many stream keys (`invalid_state`), or no WHIP here (`forbidden`): the server says so for hosts. */
const STUDIO_REFUSALS: readonly ErrorCode[] = ['forbidden', 'invalid_state'];

/**
 * Why the server would not do a host's request: its own sentence when it
 * refused with one of `spoken` (a reason written for hosts), unless that
 * names the request (the handler table's protocol text); else plain words.
 */
function refusal(method: RequestMethod, error: unknown, spoken: readonly ErrorCode[]): string {
  if (!(error instanceof RequestError) || !spoken.includes(error.body.code) || error.body.message.includes(method)) return plainError(error);
  return sentence(error.body.message);
}

/** What the people panel may do: the host's actions on people and the lobby, and calling a phone. */
export type PeopleActions = Pick<
  MeetingActions,
  | 'admit'
  | 'deny'
  | 'admitAll'
  | 'mute'
  | 'muteAll'
  | 'askToUnmute'
  | 'stopCamera'
  | 'stopScreenShare'
  | 'promote'
  | 'remove'
  | 'dialOut'
  | 'makePanelist'
  | 'makeAttendee'
>;

/** What the questions panel may do. */
export type QuestionActions = Pick<MeetingActions, 'askQuestion' | 'answerQuestion' | 'dismissQuestion'>;

/** What the recording and live-stream dialog may do. */
export type EgressAction = 'startRecording' | 'stopRecording' | 'startStreaming' | 'stopStreaming' | 'listRecordings';

/** What the Studio dialog (WHIP stream keys, WHEP viewer tokens) may do. */
export type StudioAction = 'createStreamKey' | 'listStreamKeys' | 'revokeStreamKey' | 'createViewerToken';
