/** In-meeting chat. Every message is rendered as text, never as HTML. */
import type { ChatMessage } from '@protocol/messages';
import { MAX_CHAT_LENGTH } from '@protocol/limits';
import { h } from '../dom.js';
import type { MeetingActions } from '../meeting/actions.js';

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

export class ChatPanel {
  readonly root: HTMLElement;
  private readonly list = h('ol', { class: 'messages', 'aria-label': 'Messages', 'aria-live': 'polite' });
  private readonly input = h('input', { id: 'chat-input', maxlength: String(MAX_CHAT_LENGTH), autocomplete: 'off' });
  private readonly error = h('p', { class: 'error', role: 'alert' });
  /** Messages are only ever added: how many of them are on screen. */
  private shown = 0;

  constructor(actions: Pick<MeetingActions, 'sendChat'>) {
    const form = h(
      'form',
      { class: 'chat-form' },
      h('label', { for: 'chat-input', class: 'visually-hidden' }, 'Message'),
      this.input,
      h('button', { type: 'submit' }, 'Send'),
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
    this.root = h('section', { class: 'chat', 'aria-label': 'Chat' }, h('h2', {}, 'Chat'), this.list, this.error, form);
  }

  render(chat: readonly ChatMessage[]): void {
    for (const message of chat.slice(this.shown)) this.add(message);
    this.shown = chat.length;
  }

  private add(message: ChatMessage): void {
    const item = h(
      'li',
      {},
      h('span', { class: 'sender' }, message.displayName),
      h('time', { datetime: new Date(message.sentAt).toISOString() }, timeFormat.format(message.sentAt)),
      h('p', { class: 'text' }, message.text),
    );
    this.list.append(item);
    item.scrollIntoView({ block: 'nearest' });
  }
}
