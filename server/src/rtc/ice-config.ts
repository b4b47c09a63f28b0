/** ICE servers and policy for a peer that enters the meeting (TURN credentials are per peer). */
import type { NotificationData } from '../protocol/messages.js';

export type IceConfig = (peerId: string) => Pick<NotificationData<'joined'>, 'iceServers' | 'iceTransportPolicy'>;
