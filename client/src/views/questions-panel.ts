/**
 * A webinar's questions and answers. Attendees ask here and see their own
 * questions and every answered one; panelists see every question, with an
 * answer field, Answer and Dismiss on each open one. Each question's entry
 * is kept (keyed by id) and updated in place, so typing an answer survives
 * other questions arriving. Everything is rendered as text, never as HTML.
 */
import type { Question } from '@protocol/messages';
import { MAX_CHAT_LENGTH } from '@protocol/limits';
import { h } from '../dom.js';
import type { QuestionActions } from '../meeting/actions.js';
import { t } from '../strings/index.js';
import type { Report } from './action-button.js';
import { icon } from './icons.js';

class QuestionEntry {
  readonly root = h('li', { class: 'question' });
  private readonly status = h('p', { class: 'status' });
  private readonly answer = h('p', { class: 'answer' });
  private readonly input = h('input', { maxlength: String(MAX_CHAT_LENGTH), autocomplete: 'off' });
  private readonly controls: HTMLFormElement;

  constructor(question: Question, actions: QuestionActions, report: Report) {
    const name = question.displayName;
    this.root.setAttribute('aria-label', t.questions.from(name));
    this.input.setAttribute('aria-label', t.questions.answerLabel(name));
    const answer = h('button', { type: 'submit', class: 'small primary', 'aria-label': t.questions.answer(name) }, t.questions.answerShort);
    const dismiss = h('button', { type: 'button', class: 'small', 'aria-label': t.questions.dismiss(name) }, t.questions.dismissShort);
    this.controls = h('form', { class: 'answer-form' }, this.input, answer, dismiss);
    const run = async (button: HTMLButtonElement, action: () => Promise<void>) => {
      button.disabled = true;
      try {
        await action();
      } catch (error) {
        report((error as Error).message);
      } finally {
        button.disabled = false;
      }
    };
    this.controls.addEventListener('submit', (event) => {
      event.preventDefault();
      const text = this.input.value.trim();
      if (text) void run(answer, () => actions.answerQuestion(question.id, text));
    });
    dismiss.addEventListener('click', () => void run(dismiss, () => actions.dismissQuestion(question.id)));
    this.root.append(h('span', { class: 'sender' }, t.questions.from(name)), h('p', { class: 'text' }, question.text), this.status, this.answer, this.controls);
  }

  render(question: Question, panelist: boolean): void {
    const status =
      question.state === 'answered' ? t.questions.answeredBy(question.answer?.displayName ?? '') : question.state === 'open' ? t.questions.open : t.questions.dismissed;
    if (this.status.textContent !== status) this.status.textContent = status;
    const answer = question.answer?.text ?? '';
    if (this.answer.textContent !== answer) this.answer.textContent = answer;
    this.answer.hidden = !answer;
    this.root.dataset['state'] = question.state;
    this.controls.hidden = !panelist || question.state !== 'open';
  }
}

export class QuestionsPanel {
  readonly root: HTMLElement;
  /** The panel's title bar; the meeting view adds its close button here. */
  readonly header: HTMLElement;
  // Focusable, so a keyboard can scroll through the questions.
  private readonly list = h('ol', { class: 'questions', 'aria-label': t.questions.list, 'aria-live': 'polite', tabindex: '0' });
  private readonly empty = h('p', { class: 'empty' }, t.questions.none);
  private readonly input = h('input', { id: 'question-input', maxlength: String(MAX_CHAT_LENGTH), autocomplete: 'off', placeholder: t.questions.askPlaceholder });
  private readonly form: HTMLFormElement;
  private readonly error = h('p', { class: 'error', role: 'alert' });
  private readonly entries = new Map<string, QuestionEntry>();

  constructor(
    private readonly actions: QuestionActions,
    private readonly report: Report,
  ) {
    const ask = h('button', { type: 'submit', class: 'primary' }, icon('send'), h('span', { class: 'label' }, t.questions.ask));
    this.form = h('form', { class: 'chat-form' }, h('label', { for: 'question-input', class: 'visually-hidden' }, t.questions.askLabel), this.input, ask);
    this.form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const text = this.input.value.trim();
      if (!text) return;
      this.error.textContent = '';
      ask.disabled = true;
      try {
        await actions.askQuestion(text);
        this.input.value = '';
      } catch (error) {
        this.error.textContent = (error as Error).message;
      } finally {
        ask.disabled = false;
      }
    });
    this.header = h('header', { class: 'panel-header' }, h('h2', { id: 'questions-heading' }, t.questions.heading));
    this.root = h(
      'section',
      { class: 'panel chat questions-panel', 'aria-labelledby': 'questions-heading', id: 'questions-panel' },
      this.header,
      h('div', { class: 'panel-body' }, this.empty, this.list),
      this.error,
      this.form,
    );
  }

  /** Puts the cursor in the question field, for an attendee (when the panel opens). */
  focusInput(): void {
    if (!this.form.hidden) this.input.focus();
  }

  render(questions: readonly Question[], attendee: boolean): void {
    this.form.hidden = !attendee;
    this.empty.hidden = questions.length > 0;
    questions.forEach((question, index) => {
      let entry = this.entries.get(question.id);
      if (!entry) {
        entry = new QuestionEntry(question, this.actions, this.report);
        this.entries.set(question.id, entry);
      }
      entry.render(question, !attendee);
      const at = this.list.children[index];
      if (at !== entry.root) this.list.insertBefore(entry.root, at ?? null);
    });
  }
}
