/** The chat: the recent history from the welcome, then each new message. */
import type { ChatMessage } from '@protocol/messages';
import type { MeetingEvent } from '../events.js';

export function chatReducer(chat: readonly ChatMessage[], event: MeetingEvent): readonly ChatMessage[] {
  switch (event.method) {
    case 'joined':
      return event.data.chatHistory;
    case 'chatMessage':
      return [...chat, event.data.message];
    default:
      return chat;
  }
}
