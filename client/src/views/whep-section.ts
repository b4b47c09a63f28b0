/**
 * For hosts: watching the meeting with a WHEP player. "Create viewer link"
 * asks the server for a token and shows the WHEP URL and the token to copy,
 * with how long the token works; a refusal is said in an alert. The token
 * is shown until the dialog closes.
 */
import { h } from '../dom.js';
import type { MeetingActions } from '../meeting/actions.js';
import { plainError } from '../plain-errors.js';
import { t } from '../strings/index.js';
import type { Report } from './action-button.js';
import { CopyField } from './copy-field.js';
import { setText } from './text.js';

export class WhepSection {
  readonly root = h('section', { class: 'egress-part', 'aria-labelledby': 'whep-heading' });
  private readonly create = h('button', { type: 'button' }, t.studio.createViewer);
  private readonly problem = h('p', { role: 'alert', class: 'error' });
  private readonly token: CopyField;
  private readonly created = h('div', { class: 'studio-values', hidden: true });

  constructor(roomId: string, actions: Pick<MeetingActions, 'createViewerToken'>, say: Report) {
    const url = new CopyField('whep-url', { label: t.studio.whepUrl, copy: t.studio.copyWhepUrl, copied: t.studio.whepUrlCopied }, say);
    url.value = `${location.origin}/whep/${roomId}`;
    this.token = new CopyField('whep-token', { label: t.studio.viewerToken, copy: t.studio.copyViewerToken, copied: t.studio.tokenCopied }, say);
    this.created.append(url.root, this.token.root, h('p', { class: 'hint' }, t.studio.viewerExpiry));
    this.create.addEventListener('click', async () => {
      this.create.disabled = true;
      try {
        this.token.value = await actions.createViewerToken();
        this.created.hidden = false;
        setText(this.problem, '');
      } catch (error) {
        setText(this.problem, plainError(error));
      } finally {
        this.create.disabled = false;
      }
    });
    this.root.append(h('h3', { id: 'whep-heading' }, t.studio.whepHeading), this.create, this.problem, this.created);
  }

  /** The dialog closed: the token is not kept on the page. */
  forget(): void {
    this.token.value = '';
    this.created.hidden = true;
  }
}
