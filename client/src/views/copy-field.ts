/**
 * A value to paste elsewhere (a URL, a key, a token): a labelled read-only
 * field and a button that copies it, saying so. When the browser refuses
 * the clipboard (no permission, not a secure page), the field's text is
 * selected instead, for the person to copy, and that is said.
 */
import { h } from '../dom.js';
import { t } from '../strings/index.js';
import type { Report } from './action-button.js';
import { icon } from './icons.js';

export interface CopyFieldWords {
  label: string;
  /** The copy button's accessible name: "Copy WHIP URL". */
  copy: string;
  copied: string;
}

export class CopyField {
  readonly root: HTMLElement;
  private readonly input: HTMLInputElement;

  constructor(id: string, words: CopyFieldWords, say: Report) {
    this.input = h('input', { id, type: 'text', readonly: true, autocomplete: 'off', autocapitalize: 'off', spellcheck: 'false' });
    const button = h('button', { type: 'button', class: 'icon-only', 'aria-label': words.copy, title: words.copy }, icon('copy'));
    button.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(this.input.value);
        say(words.copied);
      } catch {
        this.input.focus();
        this.input.select();
        say(t.studio.copyFailed);
      }
    });
    this.root = h('div', { class: 'copy-field' }, h('label', { for: id }, words.label), h('div', { class: 'stream-row' }, this.input, button));
  }

  set value(value: string) {
    this.input.value = value;
  }
}
