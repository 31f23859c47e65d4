import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { isTruncatedJson } from './decode.js';
import { LineSplitter } from './framing.js';
import type { Problem } from './tally.js';

/** Whether reading should wait: the batcher's view of the bus. */
export interface Flow {
  readonly saturated: boolean;
  whenReady(): Promise<void>;
}

export interface TcpOptions {
  host: string;
  maxLineBytes: number;
  flow: Flow;
  logger: Logger;
  lines(lines: string[], remoteAddress: string | undefined): void;
  problem(kind: Extract<Problem, 'oversized' | 'truncated'>, example: string): void;
  paused(): void;
}

/**
 * `json_lines` over TCP. A connection is read only while the bus keeps up: when batches are waiting on it,
 * the socket is paused, the kernel's buffers fill and TCP flow control slows the sender down.
 */
export class TcpInput {
  private server: Server | undefined;
  private closed: Promise<void> = Promise.resolve();
  private readonly sockets = new Set<Socket>();
  private stopping = false;

  constructor(private readonly opts: TcpOptions) {}

  async listen(port: number): Promise<number> {
    const server = createServer((socket) => this.serve(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    // Accept failures (EMFILE) arrive here; the server keeps listening.
    server.on('error', (err) => this.opts.logger.error({ err }, 'logstash receiver: TCP server error'));
    return (server.address() as AddressInfo).port;
  }

  /** Stops accepting connections and reading the open ones; `close` then drops them. */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    const server = this.server;
    if (server) this.closed = new Promise((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.pause();
  }

  async close(): Promise<void> {
    this.stop();
    for (const socket of this.sockets) socket.destroy();
    await this.closed;
  }

  private serve(socket: Socket): void {
    if (this.stopping) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    const remote = socket.remoteAddress;
    const splitter = new LineSplitter(this.opts.maxLineBytes, () =>
      this.opts.problem('oversized', `a line from ${remote} longer than ${this.opts.maxLineBytes} bytes`),
    );
    socket.on('data', (chunk: Buffer) => {
      const lines = splitter.push(chunk);
      if (lines.length > 0) this.opts.lines(lines, remote);
      if (this.opts.flow.saturated) this.hold(socket);
    });
    socket.on('end', () => {
      // Like Logstash's json_lines, a last line without its newline counts at a clean end of stream,
      // unless it is JSON cut short: stored as a plain message it would be garbage.
      const rest = splitter.end();
      if (rest === null) return;
      if (isTruncatedJson(rest)) this.opts.problem('truncated', `cut-off JSON at the end of a stream from ${remote}`);
      else this.opts.lines([rest], remote);
    });
    // A reset is a sender going away; `close` follows and accounts for what it left unfinished.
    socket.on('error', () => {});
    socket.on('close', () => {
      this.sockets.delete(socket);
      if (splitter.end()?.trim()) this.opts.problem('truncated', `an unterminated line from ${remote} whose connection broke`);
    });
  }

  private hold(socket: Socket): void {
    socket.pause();
    this.opts.paused();
    void this.opts.flow.whenReady().then(() => {
      if (!this.stopping && !socket.destroyed) socket.resume();
    });
  }
}
