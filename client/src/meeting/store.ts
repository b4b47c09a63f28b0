/** Holds one session's meeting state, applies events through the reducer and tells the views. */
import type { MeetingEvent } from './events.js';
import { meetingReducer } from './reducers/index.js';
import { initialMeetingState, type MeetingState } from './state.js';

export type MeetingListener = (state: MeetingState) => void;

export class MeetingStore {
  private current: MeetingState;
  private readonly listeners = new Set<MeetingListener>();

  constructor(displayName: string) {
    this.current = initialMeetingState(displayName);
  }

  get state(): MeetingState {
    return this.current;
  }

  dispatch(event: MeetingEvent): void {
    const next = meetingReducer(this.current, event);
    if (next === this.current) return;
    this.current = next;
    for (const listener of this.listeners) listener(next);
  }

  /** Calls `listener` now and after every change; returns the unsubscribe. */
  subscribe(listener: MeetingListener): () => void {
    this.listeners.add(listener);
    listener(this.current);
    return () => this.listeners.delete(listener);
  }
}
