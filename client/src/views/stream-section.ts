/**
 * For hosts: stream the meeting live to an RTMP(S) URL with its stream key,
 * or stop the stream (the button says which). What is typed is checked here
 * first, against the protocol's own rule, and what is wrong is said; the
 * server's refusal, or why a running stream stopped, is said the same way
 * (an alert tied to the field).
 */
import { Requests } from '@protocol/messages';
import { interpretedChecker } from '@protocol/validation';
import { h } from '../dom.js';
import type { MeetingActions } from '../meeting/actions.js';
import type { MeetingState } from '../meeting/state.js';
import { parseStreamTarget, type StreamTargetProblem } from '../meeting/stream-target.js';
import { t } from '../strings/index.js';
import { egressProblem } from './egress-words.js';
import { setText } from './text.js';

/** The server's own rule for a destination: the protocol's startStreaming request. */
const startStreamingRequest = interpretedChecker(Requests.startStreaming.request);
const streamable = (url: string) => startStreamingRequest.Check({ url });

const PROBLEMS: Record<StreamTargetProblem, string> = { empty: t.stream.empty, scheme: t.stream.scheme, form: t.stream.form };

export class StreamSection {
  readonly root = h('section', { class: 'egress-part', 'aria-labelledby': 'stream-heading' });
  private readonly input = h('input', {
    id: 'stream-url',
    type: 'url',
    autocomplete: 'off',
    autocapitalize: 'off',
    spellcheck: 'false',
    maxlength: '1024',
    'aria-describedby': 'stream-problem',
  });
  private readonly submit = h('button', { type: 'submit' }, t.stream.start);
  private readonly problem = h('p', { role: 'alert', class: 'error', id: 'stream-problem' });
  /** What is wrong with the URL typed last, until the next try. */
  private invalid = '';
  private state: MeetingState | undefined;

  constructor(private readonly actions: Pick<MeetingActions, 'startStreaming' | 'stopStreaming'>) {
    // The page says what is wrong with the URL, in its own words: the browser's own check stays off.
    const form = h('form', { class: 'stream-form', novalidate: true }, h('label', { for: 'stream-url' }, t.stream.url), h('div', { class: 'stream-row' }, this.input, this.submit));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.send();
    });
    this.root.append(h('h3', { id: 'stream-heading' }, t.stream.heading), form, this.problem);
  }

  render(state: MeetingState): void {
    this.state = state;
    const streaming = state.room.streaming;
    setText(this.submit, streaming ? t.stream.stop : t.stream.start);
    this.submit.classList.toggle('danger', streaming);
    this.submit.disabled = state.egress.streaming.kind === 'asking';
    setText(this.problem, this.invalid || egressProblem(state.egress.streaming, t.notices.streamingFailed));
  }

  private send(): void {
    const state = this.state;
    if (!state || state.egress.streaming.kind === 'asking') return;
    if (state.room.streaming) return void this.actions.stopStreaming();
    const parsed = parseStreamTarget(this.input.value, streamable);
    this.invalid = parsed.ok ? '' : PROBLEMS[parsed.problem];
    if (parsed.ok) this.input.removeAttribute('aria-invalid');
    else this.input.setAttribute('aria-invalid', 'true');
    this.render(state);
    if (parsed.ok) void this.actions.startStreaming(parsed.url);
    else this.input.focus();
  }
}
