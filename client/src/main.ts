/** Entry point: a meeting link opens the pre-join screen, then the call; any other path is the start page. */
import { showCall } from './call-view.js';
import { adoptCredentialFromLink } from './credential-store.js';
import { showLanding } from './landing-view.js';
import { showPrejoin } from './prejoin-view.js';

const match = /^\/r\/([A-Za-z0-9_-]{22})$/.exec(location.pathname);
if (match) {
  const roomId = match[1]!;
  adoptCredentialFromLink(roomId);
  showPrejoin(({ displayName, stream }) => showCall(roomId, displayName, stream));
} else {
  showLanding();
}
