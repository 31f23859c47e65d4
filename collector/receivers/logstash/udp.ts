import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Logger } from 'pino';
import { LineSplitter } from './framing.js';
import type { Problem } from './tally.js';

export interface UdpOptions {
  host: string;
  maxLineBytes: number;
  logger: Logger;
  /** How many more lines may be queued now. */
  room(): number;
  lines(lines: string[], remoteAddress: string): void;
  problem(kind: Extract<Problem, 'oversized' | 'dropped'>, example: string, count?: number): void;
}

/**
 * One document, or a few newline-separated ones, per datagram. UDP has no way to slow a sender down, so
 * when the queue is full the datagram's lines are dropped and counted rather than held without bound.
 */
export class UdpInput {
  private socket: Socket | undefined;

  constructor(private readonly opts: UdpOptions) {}

  async listen(port: number): Promise<number> {
    const socket = createSocket(isIPv6(this.opts.host) ? 'udp6' : 'udp4');
    this.socket = socket;
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, this.opts.host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.on('error', (err) => this.opts.logger.error({ err }, 'logstash receiver: UDP socket error'));
    socket.on('message', (datagram, peer) => this.receive(datagram, peer.address));
    return socket.address().port;
  }

  async close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  private receive(datagram: Buffer, remote: string): void {
    const splitter = new LineSplitter(this.opts.maxLineBytes, () =>
      this.opts.problem('oversized', `a datagram line from ${remote} longer than ${this.opts.maxLineBytes} bytes`),
    );
    const lines = splitter.push(datagram);
    const last = splitter.end();
    if (last !== null) lines.push(last);
    const room = Math.max(0, this.opts.room());
    if (lines.length > room) this.opts.problem('dropped', `datagram lines from ${remote}: the queue is full`, lines.length - room);
    if (room > 0 && lines.length > 0) this.opts.lines(lines.slice(0, room), remote);
  }
}
