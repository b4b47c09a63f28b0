/**
 * Entry point: the page takes the chosen language; a meeting link opens the
 * pre-join screen, then the call; any other path is the start page. A
 * meeting link starts connecting at once, while the person is still on the
 * pre-join screen.
 */
import { showCall } from './call-view.js';
import { WarmUp } from './connection/warm-up.js';
import { adoptCredentialFromLink } from './credential-store.js';
import { reach } from './first-media.js';
import { showLanding } from './landing-view.js';
import { followSpeakerChoice } from './media-devices.js';
import { showPrejoin } from './prejoin-view.js';
import { language } from './strings/index.js';
import './flows.css';

document.documentElement.lang = language;
const match = /^\/r\/([A-Za-z0-9_-]{22})$/.exec(location.pathname);
followSpeakerChoice();
if (match) {
  const roomId = match[1]!;
  adoptCredentialFromLink(roomId);
  reach('pageLoaded');
  const warmUp = new WarmUp(roomId);
  void showPrejoin(roomId, (result) => showCall(roomId, result, warmUp)).then((shown) => shown || warmUp.cancel());
} else {
  showLanding();
}
