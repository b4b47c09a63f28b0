/**
 * Reactions: a menu to send one, and a feed where everyone's appear for a
 * few seconds over the videos, each as its icon and the sender's name. The
 * feed is a polite live region, so a screen reader hears "Bob: applause"
 * without losing its place.
 */
import type { Reaction } from '@protocol/messages';
import { h } from '../dom.js';
import { icon } from './icons.js';
import { MenuButton } from './menu.js';

/** The reactions, in the menu's order, with the words that name each. */
export const REACTIONS: readonly { reaction: Reaction; words: string }[] = [
  { reaction: 'thumbs-up', words: 'thumbs up' },
  { reaction: 'thumbs-down', words: 'thumbs down' },
  { reaction: 'laugh', words: 'laughter' },
  { reaction: 'heart', words: 'love' },
  { reaction: 'applause', words: 'applause' },
  { reaction: 'celebrate', words: 'celebration' },
];
const wordsFor = (reaction: Reaction) => REACTIONS.find((entry) => entry.reaction === reaction)?.words ?? reaction;

/** How long a reaction stays in the feed, and how many show at once. */
const SHOWN_MS = 4_000;
const MAX_SHOWN = 5;

/** The "Send a reaction" menu button; choosing an item sends it. */
export function reactionPicker(send: (reaction: Reaction) => Promise<void>, report: (message: string) => void): HTMLButtonElement {
  const menu = new MenuButton('react', 'reaction-picker');
  menu.setLabel('Send a reaction');
  menu.menu.classList.add('reaction-menu');
  for (const { reaction, words } of REACTIONS) {
    const item = h('button', { type: 'button' }, icon(reaction), ` React with ${words}`);
    item.addEventListener('click', () => void send(reaction).catch(() => report('That reaction could not be sent; wait a moment.')));
    menu.add(item);
  }
  return menu.button;
}

export class ReactionFeed {
  readonly root = h('ul', { class: 'reaction-feed', 'aria-label': 'Reactions', 'aria-live': 'polite' });

  show(name: string, reaction: Reaction): void {
    const entry = h('li', { class: 'reaction' }, icon(reaction), h('span', {}, `${name}: ${wordsFor(reaction)}`));
    this.root.append(entry);
    while (this.root.children.length > MAX_SHOWN) this.root.firstElementChild?.remove();
    setTimeout(() => entry.remove(), SHOWN_MS);
  }
}
