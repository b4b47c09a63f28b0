/**
 * The meeting reducer: each slice of state is reduced by its own pure
 * function, (state, event) -> state. A slice an event does not concern
 * keeps its reference, and so does the whole state if nothing changed.
 */
import type { MeetingEvent } from '../events.js';
import type { MeetingState } from '../state.js';
import { audienceReducer, questionsReducer } from './audience.js';
import { chatReducer } from './chat.js';
import { egressReducer, recordingsReducer } from './egress.js';
import { lobbyReducer } from './lobby.js';
import { noticeReducer } from './notice.js';
import { peersReducer } from './peers.js';
import { dialInReducer, dialOutReducer } from './phone.js';
import { roomReducer } from './room.js';
import { selfReducer } from './self.js';
import { speakersReducer } from './speakers.js';

export function meetingReducer(state: MeetingState, event: MeetingEvent): MeetingState {
  const next: MeetingState = {
    peers: peersReducer(state.peers, event),
    lobby: lobbyReducer(state.lobby, event),
    self: selfReducer(state.self, event),
    room: roomReducer(state.room, event),
    chat: chatReducer(state.chat, event),
    audience: audienceReducer(state.audience, event),
    questions: questionsReducer(state.questions, event),
    speakers: speakersReducer(state.speakers, event),
    // A notice of the recording starting or stopping compares the room before the event with the room after it.
    notice: noticeReducer(state.notice, event, state.room),
    dialIn: dialInReducer(state.dialIn, event),
    dialOut: dialOutReducer(state.dialOut, event),
    egress: egressReducer(state.egress, event),
    recordings: recordingsReducer(state.recordings, event),
  };
  const changed = (Object.keys(next) as (keyof MeetingState)[]).some((key) => next[key] !== state[key]);
  return changed ? next : state;
}
