/**
 * The links of every meeting this node serves, when other nodes share the
 * rooms: one opens as each meeting goes live and closes with it. Node deaths
 * and Redis coming back reach every link from here.
 */
import type { Meeting } from '../meeting/meeting.js';
import { RoomLink, type RoomLinkDeps } from './room-link.js';

export class RoomLinks {
  private readonly links = new Map<string, RoomLink>();

  constructor(private readonly deps: RoomLinkDeps) {
    deps.cluster.onNodeGone((nodeId) => this.each((link) => link.nodeGone(nodeId)));
    deps.cluster.onReconnected(() => this.each((link) => link.resync()));
  }

  /** Links a meeting that just went live on this node. */
  async open(meeting: Meeting): Promise<void> {
    const link = await RoomLink.open(meeting, { ...this.deps, logger: this.deps.logger.child({ roomId: meeting.id }) }, () => {
      if (this.links.get(meeting.id) === link) this.links.delete(meeting.id);
    });
    this.links.set(meeting.id, link);
  }

  /** The link of a meeting this node serves, for node-to-node requests. */
  get(roomId: string): RoomLink | undefined {
    return this.links.get(roomId);
  }

  private each(action: (link: RoomLink) => unknown): void {
    for (const link of this.links.values()) {
      Promise.resolve()
        .then(() => action(link))
        .catch((error: unknown) => this.deps.logger.warn({ err: error }, 'room link update failed'));
    }
  }
}
