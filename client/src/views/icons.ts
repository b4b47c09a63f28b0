/**
 * Inline SVG icons (Lucide, ISC licence), so no control depends on an emoji
 * font. Icons are decoration: each is aria-hidden and the control around it
 * carries the accessible name; the phone badge alone is named itself.
 */
import {
  createElement,
  Captions,
  Copy,
  Download,
  Ellipsis,
  Hand,
  Link,
  Lock,
  LockOpen,
  Maximize,
  MessageCircleQuestionMark,
  MessageSquare,
  Mic,
  MicOff,
  Minimize,
  MonitorOff,
  MonitorUp,
  Phone,
  PhoneOff,
  PhoneOutgoing,
  Pin,
  PinOff,
  Radio,
  Send,
  ShieldCheck,
  DoorOpen,
  DoorClosed,
  Presentation,
  UserMinus,
  UserPlus,
  Users,
  Video,
  VideoOff,
  X,
  CircleStop,
  FaceGrinning,
  Heart,
  PartyPopper,
  Signal,
  SignalLow,
  SignalMedium,
  Smile,
  Sparkles,
  ThumbsDown,
  ThumbsUp,
  type IconNode,
} from 'lucide';
import { h } from '../dom.js';
import { t } from '../strings/index.js';

const ICONS = {
  captions: Captions,
  more: Ellipsis,
  hand: Hand,
  link: Link,
  lock: Lock,
  unlock: LockOpen,
  fullscreen: Maximize,
  exitFullscreen: Minimize,
  chat: MessageSquare,
  mic: Mic,
  micOff: MicOff,
  share: MonitorUp,
  stopShare: MonitorOff,
  leave: PhoneOff,
  phone: Phone,
  broadcast: Radio,
  call: PhoneOutgoing,
  copy: Copy,
  download: Download,
  end: CircleStop,
  pin: Pin,
  unpin: PinOff,
  send: Send,
  host: ShieldCheck,
  lobbyOff: DoorOpen,
  lobbyOn: DoorClosed,
  remove: UserMinus,
  questions: MessageCircleQuestionMark,
  panelist: UserPlus,
  attendee: UserMinus,
  webinar: Presentation,
  people: Users,
  camera: Video,
  cameraOff: VideoOff,
  close: X,
  react: Smile,
  'thumbs-up': ThumbsUp,
  'thumbs-down': ThumbsDown,
  laugh: FaceGrinning,
  heart: Heart,
  applause: Sparkles,
  celebrate: PartyPopper,
  signalGood: Signal,
  signalFair: SignalMedium,
  signalPoor: SignalLow,
} satisfies Record<string, IconNode>;

export type IconName = keyof typeof ICONS;

export function icon(name: IconName): SVGElement {
  const svg = createElement(ICONS[name], { 'aria-hidden': 'true', focusable: 'false', class: `icon icon-${name}`, width: 20, height: 20 });
  return svg;
}

/** A phone icon that says so (someone on the phone): the one icon here with a name of its own. */
export function phoneBadge(): HTMLElement {
  const label = t.phone.onThePhone;
  return h('span', { class: 'phone-badge', role: 'img', 'aria-label': label, title: label }, icon('phone'));
}

/** Swaps the icon inside `host` (a button or badge) only when it changes. */
export function setIcon(host: Element, name: IconName): void {
  const current = host.querySelector(':scope > svg.icon');
  if (current?.classList.contains(`icon-${name}`)) return;
  const next = icon(name);
  if (current) current.replaceWith(next);
  else host.prepend(next);
}
