/**
 * An RTMP server for tests: ffmpeg listening (`-listen 1`) on a loopback
 * port, taking one stream and writing it, as sent, to an FLV file. Stopped
 * with SIGINT, so the file is complete.
 */
import { stat } from 'node:fs/promises';
import { tcpPortListening } from './ports.js';
import { TestProcess } from './processes.js';

export class RtmpReceiver {
  private constructor(
    private readonly process: TestProcess,
    readonly file: string,
  ) {}

  /** Listens on `port` for `rtmp://127.0.0.1:port/live/KEY`. */
  static async start(port: number, file: string): Promise<RtmpReceiver> {
    const process = await TestProcess.start('ffmpeg', ['-hide_banner', '-v', 'error', '-listen', '1', '-i', `rtmp://127.0.0.1:${port}/live/test-key`, '-c', 'copy', '-f', 'flv', '-y', file], {
      what: `an RTMP receiver on port ${port}`,
      ready: () => tcpPortListening(port),
    });
    return new RtmpReceiver(process, file);
  }

  /** Bytes written so far (0 before anything came). */
  async received(): Promise<number> {
    return stat(this.file).then((info) => info.size, () => 0);
  }

  /** Stops it as a server going down would: the stream's connection drops. */
  stop(): Promise<void> {
    return this.process.kill('SIGINT');
  }
}
