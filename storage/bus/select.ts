import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import type { Bus } from './bus.js';
import { EmbeddedBus } from './embedded.js';
import { JetStreamBus } from './jetstream.js';

/** JetStream when a NATS server is named (config or NATS_URL) or asked for; the embedded bus otherwise. */
export function busKindOf(config: Config): 'jetstream' | 'embedded' {
  const bus = config.storage.bus;
  return bus.kind === 'auto' ? (bus.nats_url ? 'jetstream' : 'embedded') : bus.kind;
}

export function selectBus(config: Config, logger?: Logger): Bus {
  const bus = config.storage.bus;
  if (busKindOf(config) === 'jetstream') {
    return new JetStreamBus({
      url: bus.nats_url ?? '127.0.0.1:4222',
      stream: bus.stream,
      subjectPrefix: bus.subject_prefix,
      duplicateWindowSeconds: bus.duplicate_window_seconds,
      maxAgeHours: bus.max_age_hours,
      ackWaitSeconds: bus.ack_wait_seconds,
      replicas: bus.replicas,
      onWaiting: (reason) => logger?.warn(`bus: ${reason}`),
    });
  }
  return new EmbeddedBus({ dir: join(config.storage.data_dir, 'bus'), duplicateWindowSeconds: bus.duplicate_window_seconds });
}
