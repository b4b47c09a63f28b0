/** A button that runs an action: disabled while it runs, its failure reported. */
import { h } from '../dom.js';

export type Report = (message: string) => void;

export function actionButton(label: string, run: () => Promise<unknown>, report: Report): HTMLButtonElement {
  const button = h('button', { type: 'button', class: 'small' }, label);
  button.addEventListener('click', () => {
    button.disabled = true;
    run()
      .catch((error: unknown) => report((error as Error).message))
      .finally(() => (button.disabled = false));
  });
  return button;
}
