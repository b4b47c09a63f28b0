/**
 * For hosts, when the server takes phone calls: how phones join (the SIP
 * address to dial and the meeting's PIN, each shown and copyable) and a
 * form to call a phone into the meeting. What is typed is checked here
 * first and what is wrong is said; how the call goes comes from the meeting
 * state: "Calling …" while the request is out, then ringing and answered
 * (a status line), or failed (an alert with the reason).
 */
import { Requests } from '@protocol/messages';
import { interpretedChecker } from '@protocol/validation';
import { h } from '../dom.js';
import type { MeetingActions } from '../meeting/actions.js';
import { parseDialTarget, type DialTargetProblem } from '../meeting/dial-target.js';
import type { DialIn, DialOutStatus, MeetingState } from '../meeting/state.js';
import { plainError, sentence } from '../plain-errors.js';
import { t } from '../strings/index.js';
import type { Report } from './action-button.js';
import { icon } from './icons.js';
import { setText } from './text.js';

/** "123456789" → "123 456 789": easier to read out and to type on a keypad. */
export function groupDigits(digits: string): string {
  return digits.replace(/\d{3}(?=\d)/g, '$& ');
}

/** The server's own rule for a destination: the protocol's dialOut request. */
const dialOutRequest = interpretedChecker(Requests.dialOut.request);
const callable = (target: string) => dialOutRequest.Check({ target });

const PROBLEMS: Record<DialTargetProblem, string> = { empty: t.phone.empty, sip: t.phone.badSip, number: t.phone.badNumber };

function statusText(status: DialOutStatus): string {
  switch (status.kind) {
    case 'calling':
      return t.phone.calling(status.target);
    case 'ringing':
      return t.phone.ringing(status.target);
    case 'answered':
      return t.phone.answered(status.target);
    default:
      return '';
  }
}

export class PhoneSection {
  readonly root = h('section', { class: 'phone-section', 'aria-labelledby': 'phone-heading', hidden: true });
  private readonly uri = h('span', { class: 'value' });
  private readonly pin = h('span', { class: 'value' });
  private readonly input = h('input', {
    id: 'dial-out-target',
    type: 'text',
    autocomplete: 'off',
    autocapitalize: 'off',
    spellcheck: 'false',
    maxlength: '128',
    'aria-describedby': 'dial-out-problem',
  });
  private readonly call = h('button', { type: 'submit' }, icon('call'), t.phone.call);
  private readonly status = h('p', { role: 'status', class: 'dial-out-status' });
  private readonly problem = h('p', { role: 'alert', class: 'error', id: 'dial-out-problem' });
  /** What is wrong with the destination typed last, until the next try. */
  private invalid = '';
  private dialIn: DialIn | undefined;
  private dialOut: DialOutStatus = { kind: 'idle' };

  constructor(
    private readonly actions: Pick<MeetingActions, 'dialOut'>,
    private readonly report: Report,
  ) {
    const form = h(
      'form',
      { class: 'dial-out' },
      h('label', { for: 'dial-out-target' }, t.phone.target),
      h('div', { class: 'dial-out-row' }, this.input, this.call),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit();
    });
    this.root.append(
      h('h3', { id: 'phone-heading' }, t.phone.heading),
      h('p', { class: 'dial-in-line' }, h('span', { class: 'term' }, t.phone.dialIn), ' ', this.uri, this.copyButton(t.phone.copyDialIn, t.phone.dialInCopied, () => this.dialIn?.uri)),
      h('p', { class: 'dial-in-line' }, h('span', { class: 'term' }, t.phone.pin), ' ', this.pin, this.copyButton(t.phone.copyPin, t.phone.pinCopied, () => this.dialIn?.pin)),
      form,
      this.status,
      this.problem,
    );
  }

  render(state: MeetingState): void {
    const dialIn = state.self.role === 'host' ? state.dialIn : undefined;
    this.root.hidden = !dialIn;
    if (dialIn && dialIn !== this.dialIn) {
      this.uri.textContent = dialIn.uri;
      this.pin.textContent = groupDigits(dialIn.pin);
    }
    this.dialIn = dialIn;
    if (state.dialOut === this.dialOut) return;
    this.dialOut = state.dialOut;
    this.refresh();
  }

  private submit(): void {
    if (this.dialOut.kind === 'calling') return;
    const parsed = parseDialTarget(this.input.value, callable);
    this.invalid = parsed.ok ? '' : PROBLEMS[parsed.problem];
    if (parsed.ok) this.input.removeAttribute('aria-invalid');
    else this.input.setAttribute('aria-invalid', 'true');
    this.refresh();
    if (parsed.ok) void this.actions.dialOut(parsed.target);
    else this.input.focus();
  }

  /** Live regions are written only when their text changes, so nothing is announced twice. */
  private refresh(): void {
    const status = this.dialOut;
    const failure = status.kind === 'failed' ? t.phone.failed(status.target, sentence(status.message)) : '';
    setText(this.status, statusText(status));
    setText(this.problem, this.invalid || failure);
    this.call.disabled = status.kind === 'calling';
  }

  /** Copies what `value` gives (digits only for the PIN, which shows grouped) and says so. */
  private copyButton(name: string, copied: string, value: () => string | undefined): HTMLButtonElement {
    const button = h('button', { type: 'button', class: 'icon-only', 'aria-label': name, title: name }, icon('copy'));
    button.addEventListener('click', async () => {
      const text = value();
      if (!text) return;
      try {
        await navigator.clipboard.writeText(text);
        this.report(copied);
      } catch (error) {
        this.report(plainError(error));
      }
    });
    return button;
  }
}
