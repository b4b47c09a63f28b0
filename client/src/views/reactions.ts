/**
 * Reactions: a row of buttons to send one, and a feed where everyone's appear for a
 * few seconds over the videos, each as its icon and the sender's name. The
 * feed is a polite live region, so a screen reader hears "Bob: applause"
 * without losing its place.
 */
import type { Reaction } from '@protocol/messages';
import { h } from '../dom.js';
import { t } from '../strings/index.js';
import { icon } from './icons.js';

/** The reactions, in the menu's order. */
const REACTIONS: readonly Reaction[] = ['thumbs-up', 'thumbs-down', 'laugh', 'heart', 'applause', 'celebrate'];

/** How long a reaction stays in the feed, and how many show at once. */
const SHOWN_MS = 4_000;
const MAX_SHOWN = 5;

/** The "Send a reaction" group: one icon button per reaction; pressing one sends it. */
export function reactionButtons(send: (reaction: Reaction) => Promise<void>, report: (message: string) => void): HTMLElement {
  const buttons = REACTIONS.map((reaction) => {
    const name = t.reactions.item(t.reactions.words[reaction]);
    const button = h('button', { type: 'button', class: 'reaction-button', 'aria-label': name, title: name }, icon(reaction));
    button.addEventListener('click', () => void send(reaction).catch(() => report(t.reactions.failed)));
    return button;
  });
  return h('div', { role: 'group', class: 'reaction-buttons', 'aria-label': t.reactions.send }, ...buttons);
}

export class ReactionFeed {
  readonly root = h('ul', { class: 'reaction-feed', 'aria-label': t.reactions.feed, 'aria-live': 'polite' });

  show(name: string, reaction: Reaction): void {
    const entry = h('li', { class: 'reaction' }, icon(reaction), h('span', {}, t.reactions.line(name, t.reactions.words[reaction])));
    this.root.append(entry);
    while (this.root.children.length > MAX_SHOWN) this.root.firstElementChild?.remove();
    setTimeout(() => entry.remove(), SHOWN_MS);
  }
}
