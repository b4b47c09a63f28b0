/**
 * The credential for each room, kept for this browser tab: it lets a
 * reload or a dropped connection back in without waiting in the lobby. A
 * host link carries its credential in the URL fragment, which never reaches
 * the server in a request; it is moved here and removed from the address bar
 * so the visible link is the participant link.
 */
const key = (roomId: string) => `parley.credential.${roomId}`;

export function savedCredential(roomId: string): string | undefined {
  return sessionStorage.getItem(key(roomId)) ?? undefined;
}

export function saveCredential(roomId: string, credential: string): void {
  sessionStorage.setItem(key(roomId), credential);
}

/** Takes a host credential from `#host=...` into storage. */
export function adoptCredentialFromLink(roomId: string): void {
  const match = /^#host=([A-Za-z0-9._-]+)$/.exec(location.hash);
  if (!match) return;
  saveCredential(roomId, match[1]!);
  history.replaceState(null, '', location.pathname);
}
