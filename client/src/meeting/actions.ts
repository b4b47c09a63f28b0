/**
 * What the views may ask of the meeting, one typed function each. Only this
 * module turns them into signalling requests; the server authorises every
 * one of them.
 */
import type { FirstMediaStages, Reaction, RequestData, RequestMethod, ResponseData } from '@protocol/messages';
import { plainError, sentence } from '../plain-errors.js';
import { RequestError } from '../signalling-client.js';
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
  endMeeting(): Promise<void>;
  sendChat(text: string): Promise<void>;
  setHandRaised(raised: boolean): Promise<void>;
  sendReaction(reaction: Reaction): Promise<void>;
  reportTimeToFirstMedia(milliseconds: number, stages: FirstMediaStages): Promise<void>;
  /** Calls a phone (a checked target: see dial-target.ts); how it goes is in the state's `dialOut`, so this never throws. */
  dialOut(target: string): Promise<void>;
}

export function meetingActions(request: Request, store: MeetingStore): MeetingActions {
  const send = async <M extends RequestMethod>(method: M, data: RequestData<M>) => void (await request(method, data));
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
        store.dispatch({ type: 'local', method: 'dialOutRefused', data: { target, message: dialOutRefusal(error) } });
      }
    },
  };
}

/**
 * Why the server would not call: a refused destination (off the allow-list,
 * or no dial-out here) comes as `forbidden` with the server's own sentence.
 */
function dialOutRefusal(error: unknown): string {
  return error instanceof RequestError && error.body.code === 'forbidden' ? sentence(error.body.message) : plainError(error);
}

/** What the people panel may do: the host's actions on people and the lobby, and calling a phone. */
export type PeopleActions = Pick<
  MeetingActions,
  'admit' | 'deny' | 'admitAll' | 'mute' | 'muteAll' | 'askToUnmute' | 'stopCamera' | 'stopScreenShare' | 'promote' | 'remove' | 'dialOut'
>;
