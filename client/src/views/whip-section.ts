/**
 * For hosts: publishing into the meeting over WHIP (OBS, an encoder). A
 * form names the stream for the stage (checked here first against the
 * protocol's own rule, what is wrong said in an alert tied to the field)
 * and creates a key; the WHIP URL and the new key are then shown to copy,
 * the key only until the dialog closes, since the server keeps no copy.
 * Under them, the meeting's keys, each with when it was made and a button
 * that revokes it at once. The server's refusals go to the same alert.
 */
import { MAX_DISPLAY_NAME_LENGTH } from '@protocol/limits';
import { Requests, type StreamKeyInfo } from '@protocol/messages';
import { interpretedChecker } from '@protocol/validation';
import { h } from '../dom.js';
import type { MeetingActions } from '../meeting/actions.js';
import { plainError } from '../plain-errors.js';
import { t } from '../strings/index.js';
import type { Report } from './action-button.js';
import { CopyField } from './copy-field.js';
import { recordingStart } from './egress-words.js';
import { setText } from './text.js';

/** The server's own rule for a name on stage: the protocol's createStreamKey request. */
const createStreamKeyRequest = interpretedChecker(Requests.createStreamKey.request);

export class WhipSection {
  readonly root = h('section', { class: 'egress-part', 'aria-labelledby': 'whip-heading' });
  private readonly input = h('input', {
    id: 'whip-label',
    type: 'text',
    autocomplete: 'off',
    maxlength: String(MAX_DISPLAY_NAME_LENGTH),
    placeholder: t.studio.labelExample,
    'aria-describedby': 'whip-problem',
  });
  private readonly create = h('button', { type: 'submit' }, t.studio.create);
  private readonly problem = h('p', { role: 'alert', class: 'error', id: 'whip-problem' });
  private readonly url: CopyField;
  private readonly key: CopyField;
  private readonly created = h('div', { class: 'studio-values', hidden: true });
  private readonly list = h('ul', { class: 'stream-keys', 'aria-labelledby': 'stream-keys-heading' });
  private readonly none = h('p', { class: 'hint', hidden: true }, t.studio.noKeys);
  private readonly rows = new Map<string, { item: HTMLLIElement; revoke: HTMLButtonElement }>();
  /** The key on show, until it is revoked or the dialog closes. */
  private shownKeyId: string | undefined;

  constructor(
    roomId: string,
    private readonly actions: Pick<MeetingActions, 'createStreamKey' | 'listStreamKeys' | 'revokeStreamKey'>,
    private readonly say: Report,
  ) {
    this.url = new CopyField('whip-url', { label: t.studio.whipUrl, copy: t.studio.copyWhipUrl, copied: t.studio.whipUrlCopied }, say);
    this.url.value = `${location.origin}/whip/${roomId}`;
    this.key = new CopyField('whip-key', { label: t.studio.key, copy: t.studio.copyKey, copied: t.studio.keyCopied }, say);
    this.created.append(this.url.root, this.key.root, h('p', { class: 'hint' }, t.studio.keyOnce));
    // The page says what is wrong with the name, in its own words: the browser's own check stays off.
    const form = h('form', { class: 'stream-form', novalidate: true }, h('label', { for: 'whip-label' }, t.studio.label), h('div', { class: 'stream-row wrapping' }, this.input, this.create));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.send();
    });
    this.root.append(
      h('h3', { id: 'whip-heading' }, t.studio.whipHeading),
      h('p', { class: 'hint' }, t.studio.whipIntro),
      form,
      this.problem,
      this.created,
      h('h4', { id: 'stream-keys-heading' }, t.studio.keys),
      this.list,
      this.none,
    );
  }

  /** Fetches the meeting's keys (the dialog opened). */
  async refresh(): Promise<void> {
    try {
      this.showKeys(await this.actions.listStreamKeys());
    } catch (error) {
      setText(this.problem, plainError(error));
    }
  }

  /** The dialog closed: the key is not shown again. */
  forget(): void {
    this.shownKeyId = undefined;
    this.key.value = '';
    this.created.hidden = true;
  }

  private async send(): Promise<void> {
    if (this.create.disabled) return;
    const label = this.input.value.trim();
    const invalid = !label ? t.studio.labelEmpty : createStreamKeyRequest.Check({ label }) ? '' : t.studio.labelInvalid;
    setText(this.problem, invalid);
    if (invalid) {
      this.input.setAttribute('aria-invalid', 'true');
      return this.input.focus();
    }
    this.input.removeAttribute('aria-invalid');
    this.create.disabled = true;
    try {
      const { streamKey, key } = await this.actions.createStreamKey(label);
      this.shownKeyId = streamKey.id;
      this.key.value = key;
      this.created.hidden = false;
      this.input.value = '';
      await this.refresh();
    } catch (error) {
      setText(this.problem, plainError(error));
    } finally {
      this.create.disabled = false;
    }
  }

  private async revoke(key: StreamKeyInfo, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    const index = [...this.list.children].findIndex((item) => item.contains(button));
    try {
      await this.actions.revokeStreamKey(key.id);
      setText(this.problem, '');
      if (key.id === this.shownKeyId) this.forget();
      this.say(t.studio.revoked(key.label));
      await this.refresh();
      // The button went with its row: focus goes to the row now in its place, or to the name field.
      const next = this.list.children[Math.min(index, this.list.children.length - 1)];
      (next?.querySelector('button') ?? this.input).focus();
    } catch (error) {
      button.disabled = false;
      setText(this.problem, plainError(error));
    }
  }

  /** Rows are keyed by key and kept, so focus on one survives the others changing. */
  private showKeys(keys: readonly StreamKeyInfo[]): void {
    this.none.hidden = keys.length > 0;
    const present = new Set(keys.map(({ id }) => id));
    for (const [id, { item }] of this.rows) {
      if (present.has(id)) continue;
      item.remove();
      this.rows.delete(id);
    }
    const now = Date.now();
    keys.forEach((key, index) => {
      let row = this.rows.get(key.id);
      if (!row) {
        const revoke = h('button', { type: 'button', class: 'small danger', 'aria-label': t.studio.revokeKey(key.label) }, t.studio.revoke);
        revoke.addEventListener('click', () => void this.revoke(key, revoke));
        const when = h('span', { class: 'hint' }, t.studio.created(recordingStart(key.createdAt, now)));
        row = { item: h('li', {}, h('span', { class: 'stream-key' }, h('span', { class: 'stream-key-label' }, key.label), when), revoke), revoke };
        this.rows.set(key.id, row);
      }
      const at = this.list.children[index];
      if (at !== row.item) this.list.insertBefore(row.item, at ?? null);
    });
  }
}
