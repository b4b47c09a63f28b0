/**
 * Short messages that go away by themselves: a polite live region in the
 * corner, outside the screen that `mount` replaces, so a message survives a
 * change of screen. A plain toast lasts about 5 s; one with actions (a knock
 * at the lobby, a request to unmute) lasts longer, and goes as soon as one
 * of its actions runs or its owner dismisses it.
 */
import { h } from '../dom.js';
import { plainError } from '../plain-errors.js';
import { t } from '../strings/index.js';

export const TOAST_MS = 5_000;
export const ACTION_TOAST_MS = 30_000;

export interface ToastAction {
  label: string;
  run(): unknown;
  /** Styled as the main choice. */
  primary?: boolean;
}

export interface ToastOptions {
  /** Errors are styled as such; they are still announced politely. */
  tone?: 'info' | 'error';
  actions?: ToastAction[];
  /** Milliseconds on screen; defaults to TOAST_MS, or ACTION_TOAST_MS with actions. */
  duration?: number;
  /** A toast with the same key replaces the earlier one; a plain toast is keyed by its text. */
  key?: string;
}

export interface ToastHandle {
  dismiss(): void;
  readonly element: HTMLElement;
}

let region: HTMLElement | undefined;
const byKey = new Map<string, ToastHandle>();

function toastRegion(): HTMLElement {
  if (region?.isConnected) return region;
  region = h('section', { class: 'toasts', 'aria-label': t.meeting.notifications, 'aria-live': 'polite', role: 'status' });
  document.body.append(region);
  return region;
}

export function toast(text: string, options: ToastOptions = {}): ToastHandle {
  if (!text) return { dismiss() {}, element: h('div') };
  const actions = options.actions ?? [];
  // The same message twice at once (a host stopping a share's video and its audio) is shown once, for longer.
  options = { ...options, key: options.key ?? (actions.length ? undefined : `text:${text}`) };
  if (options.key) byKey.get(options.key)?.dismiss();
  const element = h('div', { class: `toast ${options.tone ?? 'info'}` }, h('p', {}, text));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const handle: ToastHandle = {
    element,
    dismiss() {
      clearTimeout(timer);
      element.remove();
      if (options.key && byKey.get(options.key) === handle) byKey.delete(options.key);
    },
  };
  if (actions.length) {
    const row = h('div', { class: 'toast-actions' });
    for (const action of actions) {
      const button = h('button', { type: 'button', class: action.primary ? 'primary' : 'small' }, action.label);
      button.addEventListener('click', async () => {
        button.disabled = true;
        try {
          await action.run();
          handle.dismiss();
        } catch (error) {
          handle.dismiss();
          toastError(error);
        }
      });
      row.append(button);
    }
    element.append(row);
  }
  toastRegion().append(element);
  if (options.key) byKey.set(options.key, handle);
  timer = setTimeout(() => handle.dismiss(), options.duration ?? (actions.length ? ACTION_TOAST_MS : TOAST_MS));
  return handle;
}

/** A failure, in plain words. */
export function toastError(error: unknown): ToastHandle {
  return toast(typeof error === 'string' ? error : plainError(error), { tone: 'error' });
}

export function dismissToast(key: string): void {
  byKey.get(key)?.dismiss();
}
