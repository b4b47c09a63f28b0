/**
 * Keyboard shortcuts in the call: single keys without modifiers, so they
 * never clash with the browser's own, and never while typing in a field or
 * while a dialog is open. Each one clicks the control it names,
 * so the control's own rules (disabled, busy) still apply. `?` lists them.
 */
import { h } from './dom.js';
import { t } from './strings/index.js';
import { panelDialog } from './views/dialogs.js';

export interface Shortcut {
  key: string;
  /** What pressing it does, in words. */
  does: string;
  /** The element it acts on, found when pressed (views are rebuilt on a rejoin). */
  target(): HTMLElement | null;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { key: 'm', does: t.shortcuts.mic, target: () => document.querySelector('[data-shortcut="mic"]') },
  { key: 'v', does: t.shortcuts.camera, target: () => document.querySelector('[data-shortcut="camera"]') },
  { key: 's', does: t.shortcuts.share, target: () => document.querySelector('[data-shortcut="share"]') },
  { key: 'h', does: t.shortcuts.hand, target: () => document.querySelector('[data-shortcut="hand"]') },
  { key: 'c', does: t.shortcuts.chat, target: () => document.querySelector('[aria-controls="chat-panel"]') },
  { key: 'p', does: t.shortcuts.people, target: () => document.querySelector('[aria-controls="people-panel"]') },
];

/** Typing somewhere: a text field, a select, or anything editable. */
function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return !['button', 'checkbox', 'radio', 'range', 'submit', 'reset', 'color'].includes(target.type);
  return false;
}

const dialogOpen = () => document.querySelector('dialog[open]') !== null;

export function showShortcutHelp(onClose?: () => void): void {
  if (dialogOpen()) return;
  const list = h(
    'dl',
    { class: 'shortcut-list' },
    ...[...SHORTCUTS, { key: '?', does: t.shortcuts.help }].flatMap(({ key, does }) => [h('dt', {}, h('kbd', {}, key)), h('dd', {}, does)]),
  );
  panelDialog(t.shortcuts.title, h('div', {}, h('p', {}, t.shortcuts.intro), list), onClose);
}

/** A button that opens the list. */
export function shortcutHelpButton(): HTMLButtonElement {
  const button = h('button', { type: 'button', 'aria-keyshortcuts': '?' }, t.shortcuts.title);
  button.addEventListener('click', () => showShortcutHelp(() => button.focus()));
  return button;
}

/** Listens for the shortcuts until the returned function is called. */
export function installShortcuts(): () => void {
  const onKey = (event: KeyboardEvent) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    if (typing(event.target) || dialogOpen()) return;
    if (event.key === '?') {
      event.preventDefault();
      return showShortcutHelp();
    }
    const shortcut = SHORTCUTS.find(({ key }) => key === event.key.toLowerCase());
    const target = shortcut?.target();
    if (!shortcut || !target || target.hidden) return;
    event.preventDefault();
    if (!(target as HTMLButtonElement).disabled) target.click();
  };
  document.addEventListener('keydown', onKey);
  // Say which key does what on the controls themselves, for assistive technology.
  const label = () => {
    for (const { key, target } of SHORTCUTS) target()?.setAttribute('aria-keyshortcuts', key);
  };
  label();
  const observer = new MutationObserver(label);
  observer.observe(document.getElementById('app') ?? document.body, { childList: true });
  return () => {
    document.removeEventListener('keydown', onKey);
    observer.disconnect();
  };
}
