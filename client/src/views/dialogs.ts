/**
 * Modal questions in a real <dialog>: focus moves into it, Escape cancels,
 * and the page behind is inert while it is open. `ask` resolves with the
 * value of the choice made, or undefined when cancelled.
 */
import { h } from '../dom.js';
import { t } from '../strings/index.js';

export interface Choice<T extends string> {
  value: T;
  label: string;
  tone?: 'primary' | 'danger' | 'plain';
}

export interface Question<T extends string> {
  title: string;
  text?: string;
  choices: Choice<T>[];
  /** The label of the button that changes nothing. */
  cancel?: string;
  /** Closes the dialog as cancelled when aborted (what it asked about is no longer there). */
  signal?: AbortSignal;
}

export function ask<T extends string>(question: Question<T>): Promise<T | undefined> {
  const titleId = `dialog-title-${Math.random().toString(36).slice(2)}`;
  const dialog = h('dialog', { class: 'flow-dialog', 'aria-labelledby': titleId });
  const buttons = question.choices.map(({ value, label, tone }) => {
    const button = h('button', { type: 'button', class: tone === 'danger' ? 'danger' : tone === 'plain' ? 'small' : '' }, label);
    button.dataset['value'] = value;
    return button;
  });
  const cancel = h('button', { type: 'button', class: 'small' }, question.cancel ?? t.dialogs.cancel);
  dialog.append(
    h('h2', { id: titleId }, question.title),
    ...(question.text ? [h('p', {}, question.text)] : []),
    h('div', { class: 'dialog-actions' }, ...buttons, cancel),
  );
  return new Promise((resolve) => {
    if (question.signal?.aborted) return resolve(undefined);
    let answer: T | undefined;
    for (const button of buttons) {
      button.addEventListener('click', () => {
        answer = button.dataset['value'] as T;
        dialog.close();
      });
    }
    cancel.addEventListener('click', () => dialog.close());
    const abort = () => dialog.close();
    question.signal?.addEventListener('abort', abort, { once: true });
    dialog.addEventListener('close', () => {
      question.signal?.removeEventListener('abort', abort);
      dialog.remove();
      resolve(answer);
    });
    document.body.append(dialog);
    dialog.showModal();
    (buttons[0] ?? cancel).focus();
  });
}

/** A dialog that shows `content` until closed; returns it so the caller can close it. */
export function panelDialog(title: string, content: Node, onClose?: () => void): HTMLDialogElement {
  const titleId = `dialog-title-${Math.random().toString(36).slice(2)}`;
  const close = h('button', { type: 'button', class: 'small' }, t.dialogs.close);
  const dialog = h('dialog', { class: 'flow-dialog', 'aria-labelledby': titleId }, h('h2', { id: titleId }, title), content, h('div', { class: 'dialog-actions' }, close));
  close.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => {
    dialog.remove();
    onClose?.();
  });
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}
