/**
 * A webinar's questions, kept in memory on each node that serves the
 * meeting (the newest QUESTIONS_KEPT; the room store does not hold them).
 * Every node learns each question's latest state through the cluster, so
 * the board is a map from id to state: putting a state it already has
 * changes nothing, and a later state replaces an earlier one.
 */
import { randomUUID } from 'node:crypto';
import { SignallingError } from '../protocol/errors.js';
import { QUESTIONS_KEPT } from '../protocol/limits.js';
import type { Question } from '../protocol/messages.js';
import { isDeepStrictEqual } from 'node:util';

const ORDER: Record<Question['state'], number> = { open: 0, answered: 1, dismissed: 1 };

export class QuestionBoard {
  /** In the order they were asked (a Map keeps insertion order). */
  private readonly questions = new Map<string, Question>();

  /** A new open question from `asker`. */
  ask(asker: { id: string; displayName: string }, text: string): Question {
    const question: Question = { id: randomUUID(), peerId: asker.id, displayName: asker.displayName, text, askedAt: Date.now(), state: 'open' };
    this.put(question);
    return question;
  }

  /** The question answered by `panelist`; only an open question may be answered. */
  answer(questionId: string, panelist: { displayName: string }, text: string): Question {
    const answered: Question = {
      ...this.open(questionId),
      state: 'answered',
      answer: { text, displayName: panelist.displayName, answeredAt: Date.now() },
    };
    this.put(answered);
    return answered;
  }

  /** The question set aside; only an open question may be. */
  dismiss(questionId: string): Question {
    const dismissed: Question = { ...this.open(questionId), state: 'dismissed' };
    this.put(dismissed);
    return dismissed;
  }

  /**
   * Records a question's state (one from another node); false if nothing
   * changed: the board knew it so already, or knew a later state (an
   * answered or dismissed question never reopens).
   */
  put(question: Question): boolean {
    const known = this.questions.get(question.id);
    if (known && (isDeepStrictEqual(known, question) || ORDER[known.state] > ORDER[question.state])) return false;
    this.questions.set(question.id, question);
    while (this.questions.size > QUESTIONS_KEPT) this.questions.delete(this.questions.keys().next().value!);
    return true;
  }

  all(): Question[] {
    return [...this.questions.values()];
  }

  /** What one person may see: a panelist every question; an attendee their own and the answered ones. */
  visibleTo(peerId: string, panelist: boolean): Question[] {
    return this.all().filter((question) => panelist || question.peerId === peerId || question.state === 'answered');
  }

  private open(questionId: string): Question {
    const question = this.questions.get(questionId);
    if (!question) throw new SignallingError('not_found', 'that question is no longer here');
    if (question.state !== 'open') throw new SignallingError('invalid_state', `that question was already ${question.state}`);
    return question;
  }
}
