/**
 * The PipeTransports of one room's router towards other nodes: one per
 * remote node, carrying media both ways. A pipe is created when the first
 * producer crosses between two nodes and closed when either node stops
 * serving the room.
 */
import type { types } from 'mediasoup';

export interface PipeOffer {
  ip: string;
  port: number;
}

interface Pipe {
  transport: types.PipeTransport;
  offer: PipeOffer;
  /** The far end this pipe is connected to, once it is. */
  connectedTo?: string;
}

export class NodePipes {
  private readonly pipes = new Map<string, Promise<Pipe>>();

  constructor(
    private readonly router: types.Router,
    private readonly listenInfo: types.TransportListenInfo,
  ) {}

  /** This side of the pipe to `nodeId`, and the address the other side must send to. */
  async local(nodeId: string): Promise<Pipe> {
    let pipe = this.pipes.get(nodeId);
    if (!pipe) {
      pipe = this.router.createPipeTransport({ listenInfo: this.listenInfo }).then((transport) => ({
        transport,
        offer: { ip: this.listenInfo.announcedAddress ?? this.listenInfo.ip, port: transport.tuple.localPort },
      }));
      this.pipes.set(nodeId, pipe);
      pipe.catch(() => this.pipes.delete(nodeId));
    }
    return pipe;
  }

  /** Points our side at the other side's address; a new address means the other side started over. */
  async connect(nodeId: string, remote: PipeOffer): Promise<Pipe> {
    const target = `${remote.ip}:${remote.port}`;
    let pipe = await this.local(nodeId);
    if (pipe.connectedTo === target) return pipe;
    if (pipe.connectedTo) {
      this.close(nodeId);
      pipe = await this.local(nodeId);
    }
    pipe.connectedTo = target;
    await pipe.transport.connect({ ip: remote.ip, port: remote.port });
    return pipe;
  }

  close(nodeId: string): void {
    const pipe = this.pipes.get(nodeId);
    this.pipes.delete(nodeId);
    pipe?.then(({ transport }) => transport.close(), () => {});
  }

  closeAll(): void {
    for (const nodeId of [...this.pipes.keys()]) this.close(nodeId);
  }
}
