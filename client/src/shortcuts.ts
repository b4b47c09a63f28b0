/**
 * Keyboard shortcuts in the call: single keys without modifiers, so they
 * never clash with the browser's own, and never while typing in a field or
 * while a dialog is open. Each one clicks the control it names,
 * so the control's own rules (disabled, busy) still apply. `?` lists them.
 */
import { h } from './dom.js';
import { panelDialog } from './views/dialogs.js';

export interface Shortcut {
  key: string;
  /** What pressing it does, in words. */
  does: string;
  /** The element it acts on, found when pressed (views are rebuilt on a rejoin). */
  target(): HTMLElement | null;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { key: 'm', does: 'Mute or unmute your microphone', target: () => document.querySelector('[data-shortcut="mic"]') },
  { key: 'v', does: 'Turn your camera off or on', target: () => document.querySelector('[data-shortcut="camera"]') },
  { key: 's', does: 'Share your screen, or stop sharing', target: () => document.querySelector('[data-shortcut="share"]') },
  { key: 'h', does: 'Raise or lower your hand', target: () => document.querySelector('[data-shortcut="hand"]') },
  { key: 'c', does: 'Open or close the chat', target: () => document.querySelector('[aria-controls="chat-panel"]') },
  { key: 'p', does: 'Open or close the list of people', target: () => document.querySelector('[aria-controls="people-panel"]') },
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
    ...[...SHORTCUTS, { key: '?', does: 'Show this list' }].flatMap(({ key, does }) => [h('dt', {}, h('kbd', {}, key)), h('dd', {}, does)]),
  );
  panelDialog('Keyboard shortcuts', h('div', {}, h('p', {}, 'Press a key while not typing in a field:'), list), onClose);
}

/** A button that opens the list. */
export function shortcutHelpButton(): HTMLButtonElement {
  const button = h('button', { type: 'button', 'aria-keyshortcuts': '?' }, 'Keyboard shortcuts');
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
