/**
 * A menu button (WAI-ARIA "menu button" pattern): a button that opens a
 * menu of items, arrow keys move between them, Escape closes it and
 * returns focus to the button. The menu is a popover, so the scrolling
 * panel around the button never clips it. Items are added once and only
 * hidden or shown afterwards, so one that has focus keeps it while the
 * rest of the page re-renders.
 */
import { h } from '../dom.js';
import { icon, type IconName } from './icons.js';

let menus = 0;

export class MenuButton {
  readonly button: HTMLButtonElement;
  readonly menu: HTMLElement;
  private readonly items: HTMLButtonElement[] = [];

  constructor(iconName: IconName, className = '') {
    const id = `menu-${++menus}`;
    this.button = h('button', {
      type: 'button',
      class: `icon-only ${className}`,
      'aria-haspopup': 'menu',
      'aria-expanded': 'false',
      'aria-controls': id,
    });
    this.button.append(icon(iconName));
    this.menu = h('div', { id, role: 'menu', class: 'menu', popover: 'manual', tabindex: '-1' });
    this.button.addEventListener('click', () => (this.isOpen ? this.close(false) : this.open('first')));
    this.button.addEventListener('keydown', (event) => {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        this.open(event.key === 'ArrowDown' ? 'first' : 'last');
      }
    });
    this.menu.addEventListener('keydown', (event) => this.onKey(event));
    // Leaving the menu (by Tab or a click elsewhere) closes it.
    this.menu.addEventListener('focusout', (event) => {
      const next = event.relatedTarget as Node | null;
      if (next && (this.menu.contains(next) || next === this.button)) return;
      if (next) this.close(false);
    });
  }

  /** A press anywhere else closes the open menu (listened to only while open). */
  private readonly onOutside = (event: PointerEvent) => {
    const target = event.target as Node;
    if (!this.menu.contains(target) && !this.button.contains(target)) this.close(false);
  };

  get isOpen(): boolean {
    return this.button.getAttribute('aria-expanded') === 'true';
  }

  setLabel(label: string): void {
    if (this.button.getAttribute('aria-label') === label) return;
    this.button.setAttribute('aria-label', label);
    this.button.title = label;
    this.menu.setAttribute('aria-label', label);
  }

  /** An item: a button that becomes a menu item; choosing it closes the menu. */
  add(item: HTMLButtonElement): HTMLButtonElement {
    item.setAttribute('role', 'menuitem');
    item.tabIndex = -1;
    item.classList.add('menu-item');
    item.addEventListener('click', () => this.close(true));
    this.items.push(item);
    this.menu.append(item);
    return item;
  }

  open(focus: 'first' | 'last'): void {
    const visible = this.visibleItems();
    if (visible.length === 0) return;
    if (!this.isOpen) {
      this.button.setAttribute('aria-expanded', 'true');
      if (!this.menu.isConnected) this.button.after(this.menu);
      this.menu.showPopover();
      this.place();
      document.addEventListener('pointerdown', this.onOutside, true);
    }
    (focus === 'first' ? visible[0] : visible[visible.length - 1])?.focus();
  }

  close(returnFocus: boolean): void {
    if (!this.isOpen) return;
    this.button.setAttribute('aria-expanded', 'false');
    document.removeEventListener('pointerdown', this.onOutside, true);
    if (this.menu.matches(':popover-open')) this.menu.hidePopover();
    if (returnFocus && this.button.isConnected) this.button.focus();
  }

  /** Below the button, right-aligned, or above it when there is no room below. */
  private place(): void {
    const anchor = this.button.getBoundingClientRect();
    const menu = this.menu.getBoundingClientRect();
    const below = anchor.bottom + 4 + menu.height <= window.innerHeight;
    const top = below ? anchor.bottom + 4 : Math.max(4, anchor.top - 4 - menu.height);
    const left = Math.min(Math.max(4, anchor.right - menu.width), window.innerWidth - menu.width - 4);
    this.menu.style.top = `${Math.round(top)}px`;
    this.menu.style.left = `${Math.round(left)}px`;
  }

  private visibleItems(): HTMLButtonElement[] {
    return this.items.filter((item) => !item.hidden);
  }

  private onKey(event: KeyboardEvent): void {
    const visible = this.visibleItems();
    const at = visible.indexOf(document.activeElement as HTMLButtonElement);
    const move = (index: number) => visible[(index + visible.length) % visible.length]?.focus();
    switch (event.key) {
      case 'ArrowDown':
        move(at + 1);
        break;
      case 'ArrowUp':
        move(at - 1);
        break;
      case 'Home':
        move(0);
        break;
      case 'End':
        move(visible.length - 1);
        break;
      case 'Escape':
        this.close(true);
        break;
      case 'Tab':
        this.close(false);
        return;
      default:
        return;
    }
    event.preventDefault();
  }
}
