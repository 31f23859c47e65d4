import type { Config } from '../config/schema.js';
import { describeIssues, ConfigError } from '../config/load.js';
import type { Batch, Table } from '../core/records.js';
import type {
  Consumer, Exporter, ExporterFactory, Factory, Host, Lifecycle, Processor, ProcessorFactory, Receiver, ReceiverFactory,
} from './component.js';
import { receiverFactories, processorFactories, exporterFactories } from './registry.js';

/** The built graph: components in start order. */
export interface Pipelines {
  start(): Promise<void>;
  /** Receivers first (stop accepting), then processors and exporters (drain). */
  shutdown(): Promise<void>;
}

function typeOf(id: string): string {
  return id.split('/')[0];
}

function configFor<C>(section: string, id: string, block: unknown, factory: Factory<C, unknown, any>): C {
  const result = factory.configSchema.safeParse(block ?? {});
  if (!result.success) throw new ConfigError(`invalid config: ${describeIssues(result.error, [section, id])}`);
  return result.data;
}

function factoryFor<F>(section: string, id: string, registry: Record<string, F>): F {
  const factory = registry[typeOf(id)];
  if (!factory) throw new ConfigError(`${section}.${id}: unknown component type "${typeOf(id)}" (known: ${Object.keys(registry).join(', ')})`);
  return factory;
}

/** Runs a batch through processors in order, then hands it to every exporter. */
function chain(processors: Processor[], exporters: Exporter[]): Consumer {
  return {
    async consume(batch: Batch) {
      let current = batch;
      for (const p of processors) {
        current = p.process(current);
        if (current.records.length === 0) return;
      }
      if (exporters.length === 1) return exporters[0].consume(current);
      await Promise.all(exporters.map((e) => e.consume(current)));
    },
  };
}

export function buildPipelines(config: Config, host: Host): Pipelines {
  const processors = new Map<string, Processor>();
  const exporters = new Map<string, Exporter>();
  const receiverConsumers = new Map<string, Partial<Record<Table, Consumer>>>();

  const pipelineEntries = Object.entries(config.service.pipelines) as [Table, (typeof config.service.pipelines)['logs']][];
  for (const [signal, pipeline] of pipelineEntries) {
    if (!pipeline) continue;
    // Processors are per pipeline instances (their state, e.g. a sampler's, belongs to one signal).
    const procs = pipeline.processors.map((id) => {
      if (!(id in config.processors)) throw new ConfigError(`service.pipelines.${signal}.processors: "${id}" is not configured under processors`);
      const factory = factoryFor<ProcessorFactory>('processors', id, processorFactories);
      const instance = factory.create(configFor('processors', id, config.processors[id], factory), { id, host });
      processors.set(`${signal}:${id}`, instance);
      return instance;
    });
    const exps = pipeline.exporters.map((id) => {
      if (!(id in config.exporters)) throw new ConfigError(`service.pipelines.${signal}.exporters: "${id}" is not configured under exporters`);
      let instance = exporters.get(id);
      if (!instance) {
        const factory = factoryFor<ExporterFactory>('exporters', id, exporterFactories);
        instance = factory.create(configFor('exporters', id, config.exporters[id], factory), { id, host });
        exporters.set(id, instance);
      }
      return instance;
    });
    const consumer = chain(procs, exps);
    for (const id of pipeline.receivers) {
      if (!(id in config.receivers)) throw new ConfigError(`service.pipelines.${signal}.receivers: "${id}" is not configured under receivers`);
      const consumers = receiverConsumers.get(id) ?? {};
      consumers[signal] = consumer;
      receiverConsumers.set(id, consumers);
    }
  }

  const receivers: Receiver[] = [];
  for (const [id, consumers] of receiverConsumers) {
    const factory = factoryFor<ReceiverFactory>('receivers', id, receiverFactories);
    receivers.push(factory.create(configFor('receivers', id, config.receivers[id], factory), { id, host, consumers }));
  }

  const downstream: Lifecycle[] = [...exporters.values(), ...processors.values()];
  let stopped = false;
  return {
    async start() {
      for (const c of downstream) await c.start?.();
      for (const r of receivers) await r.start?.();
    },
    async shutdown() {
      if (stopped) return;
      stopped = true;
      await Promise.all(receivers.map((r) => r.shutdown?.()));
      for (const c of downstream) await c.shutdown?.();
    },
  };
}
