import type { Logger } from 'pino';
import type { Receiver, ReceiverContext } from '../../component.js';
import { Batcher } from './batcher.js';
import type { LogstashConfig } from './config.js';
import { decodeLine } from './decode.js';
import { keyLookup, type Routing } from './routing.js';
import { Tally, type LogstashStats } from './tally.js';
import { TcpInput } from './tcp.js';
import { UdpInput } from './udp.js';

/** TCP and UDP inputs feeding one batcher, which hands batches to the logs pipeline. */
export class LogstashReceiver implements Receiver {
  /** The bound ports (useful when the config asks for port 0). */
  tcpPort: number | null = null;
  udpPort: number | null = null;
  private readonly logger: Logger;
  private readonly tally: Tally;
  private readonly batcher: Batcher;
  private readonly routing: Routing;
  private tcp: TcpInput | undefined;
  private udp: UdpInput | undefined;
  private stopped: Promise<void> | undefined;

  constructor(
    private readonly config: LogstashConfig,
    ctx: ReceiverContext<'logs'>,
  ) {
    const consumer = ctx.consumers.logs;
    const logger = ctx.host.logger.child({ receiver: ctx.id });
    this.logger = logger;
    const counters = ctx.host.counters;
    this.tally = new Tally(logger, (kind, n) => counters.add(ctx.id, 'logs', kind === 'dropped' ? 'dropped' : 'refused', n, kind));
    const stats = this.tally.stats;
    this.routing = {
      project: config.project,
      defaultEnvironment: config.default_environment,
      keyField: config.key_field?.split('.'),
      findKey: keyLookup(ctx.host.meta),
    };
    this.batcher = new Batcher({
      size: config.batch_size,
      waitMs: config.batch_wait_ms,
      receiver: ctx.id,
      consume: (batch) => consumer.consume(batch),
      delivered: (n) => {
        stats.delivered += n;
      },
      refused: (err, attempt, records, retryInMs) => {
        stats.retries++;
        logger.error({ err, attempt, records, retry_in_ms: retryInMs }, 'logstash receiver: the bus refused a batch; reading is paused until it is taken');
      },
      lost: (err, records) => {
        stats.lost += records;
        counters.add(ctx.id, 'logs', 'dropped', records, 'lost');
        logger.error({ err, records }, 'logstash receiver: shutdown deadline passed while the bus refused a batch; its records are lost');
      },
    });
  }

  get stats(): Readonly<LogstashStats> {
    return this.tally.stats;
  }

  /** Records held in memory, waiting for or on their way to the bus. */
  get buffered(): number {
    return this.batcher.buffered;
  }

  async start(): Promise<void> {
    const { config, logger } = this;
    try {
      if (config.tcp) {
        this.tcp = new TcpInput({
          host: config.host,
          maxLineBytes: config.max_line_bytes,
          flow: this.batcher,
          logger,
          lines: (lines, remote) => this.take(lines, remote),
          problem: (kind, example) => this.tally.problem(kind, example),
          paused: () => {
            this.tally.stats.paused++;
          },
        });
        this.tcpPort = await this.tcp.listen(config.port);
      }
      if (config.udp) {
        this.udp = new UdpInput({
          host: config.host,
          maxLineBytes: config.max_line_bytes,
          logger,
          room: () => config.udp_max_queued_lines - this.batcher.buffered,
          lines: (lines, remote) => this.take(lines, remote),
          problem: (kind, example, count) => this.tally.problem(kind, example, count),
        });
        // With port 0, UDP takes the port the OS gave TCP, so that both share one as they do by default.
        this.udpPort = await this.udp.listen(config.port === 0 && this.tcpPort !== null ? this.tcpPort : config.port);
      }
    } catch (err) {
      await this.shutdown();
      throw err;
    }
    logger.info({ host: config.host, tcp: this.tcpPort, udp: this.udpPort }, 'logstash receiver listening');
  }

  /** Stops accepting and reading, delivers what was read, then drops the connections. */
  shutdown(): Promise<void> {
    this.stopped ??= (async () => {
      this.tcp?.stop();
      await this.udp?.close();
      await this.batcher.flush(this.config.shutdown_timeout_ms);
      await this.tcp?.close();
      this.tally.flush();
    })();
    return this.stopped;
  }

  private take(lines: string[], remoteAddress: string | undefined): void {
    const now = new Date().toISOString();
    this.tally.stats.lines += lines.length;
    for (const line of lines) {
      for (const decoded of decodeLine(line, this.routing, now)) {
        if (decoded.ok) this.batcher.add({ record: decoded.record, remoteAddress });
        else this.tally.problem('rejected', decoded.reason);
      }
    }
  }
}
