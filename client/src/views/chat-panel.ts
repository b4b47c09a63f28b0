/** In-meeting chat. Every message is rendered as text, never as HTML. */
import type { ChatMessage } from '@protocol/messages';
import { MAX_CHAT_LENGTH } from '@protocol/limits';
import { h } from '../dom.js';
import type { MeetingActions } from '../meeting/actions.js';
import { t } from '../strings/index.js';
import { icon } from './icons.js';

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

export class ChatPanel {
  readonly root: HTMLElement;
  /** The panel's title bar; the meeting view adds its close button here. */
  readonly header: HTMLElement;
  // Focusable, so a keyboard can scroll back through the messages.
  private readonly list = h('ol', { class: 'messages', 'aria-label': t.chat.messages, 'aria-live': 'polite', tabindex: '0' });
  private readonly input = h('input', { id: 'chat-input', maxlength: String(MAX_CHAT_LENGTH), autocomplete: 'off', placeholder: t.chat.placeholder });
  private readonly error = h('p', { class: 'error', role: 'alert' });
  /** Messages are only ever added: how many of them are on screen. */
  private shown = 0;

  constructor(actions: Pick<MeetingActions, 'sendChat'>) {
    const send = h('button', { type: 'submit', class: 'primary' }, icon('send'), h('span', { class: 'label' }, t.chat.send));
    const form = h(
      'form',
      { class: 'chat-form' },
      h('label', { for: 'chat-input', class: 'visually-hidden' }, t.chat.message),
      this.input,
      send,
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const text = this.input.value.trim();
      if (!text) return;
      this.error.textContent = '';
      try {
        await actions.sendChat(text);
        this.input.value = '';
      } catch (error) {
        this.error.textContent = (error as Error).message;
      }
    });
    this.header = h('header', { class: 'panel-header' }, h('h2', { id: 'chat-heading' }, t.chat.heading));
    this.root = h(
      'section',
      { class: 'panel chat', 'aria-labelledby': 'chat-heading', id: 'chat-panel' },
      this.header,
      this.list,
      this.error,
      form,
    );
  }

  /** Puts the cursor in the message field (when the panel opens). */
  focusInput(): void {
    this.input.focus();
  }

  render(chat: readonly ChatMessage[]): void {
    // Follow new messages only when already at the bottom: someone reading back is left alone.
    const atBottom = this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < 24;
    for (const message of chat.slice(this.shown)) this.add(message);
    this.shown = chat.length;
    if (atBottom) this.list.scrollTop = this.list.scrollHeight;
  }

  private add(message: ChatMessage): void {
    this.list.append(
      h(
        'li',
        {},
        h('span', { class: 'sender' }, message.displayName),
        h('time', { datetime: new Date(message.sentAt).toISOString() }, timeFormat.format(message.sentAt)),
        h('p', { class: 'text' }, message.text),
      ),
    );
  }
}
