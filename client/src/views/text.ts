/** Writes text only when it changes: a live region is then announced once, and a focused element is left alone. */
export function setText(element: HTMLElement, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}
