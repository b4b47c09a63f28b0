/** A webinar's audience as this person sees it: how many attendees there are, and the questions they may see. */
import type { Question } from '@protocol/messages';
import type { MeetingEvent } from '../events.js';

export function audienceReducer(count: number, event: MeetingEvent): number {
  switch (event.method) {
    case 'joined':
    case 'becameAttendee':
      return event.data.audience;
    case 'audienceChanged':
      return event.data.count;
    default:
      return count;
  }
}

/** The welcome's questions, then each one's latest state in the place it was first asked. */
export function questionsReducer(questions: readonly Question[], event: MeetingEvent): readonly Question[] {
  switch (event.method) {
    case 'joined':
      return event.data.questions;
    case 'questionAsked':
    case 'questionAnswered':
    case 'questionDismissed': {
      const { question } = event.data;
      const at = questions.findIndex((known) => known.id === question.id);
      if (at === -1) return [...questions, question];
      return questions.map((known, index) => (index === at ? question : known));
    }
    default:
      return questions;
  }
}
