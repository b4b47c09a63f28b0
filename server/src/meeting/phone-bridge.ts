/**
 * What the phone bridge (telephony/) offers meetings when this server takes
 * phone calls. Defined here so that meetings can offer dial-in and dial-out
 * without knowing SIP exists.
 */
export interface PhoneBridge {
  /** The SIP URI a phone dials to reach the meeting with this PIN. */
  dialInUri(pin: string): string;
  /**
   * Calls `target` into the meeting `roomId` for the host `hostPeerId`.
   * Refuses at once a destination off the allow-list; otherwise resolves
   * with the phone's peer id once the call is placed. The phone enters when
   * it answers; the host is told if it does not.
   */
  dialOut(roomId: string, target: string, hostPeerId: string): Promise<string>;
}
