import type { Config } from '../config/schema.js';
import { describeIssues, ConfigError } from '../config/load.js';
import type {
  Consumer, Exporter, ExporterFactory, Factory, Host, Lifecycle, Processor, ProcessorFactory, Receiver, ReceiverFactory, Signal, SignalBatch,
} from './component.js';
import type { ComponentCounters } from './counters.js';
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

function configFor<C>(section: string, id: string, block: unknown, factory: Factory<C, unknown, never>): C {
  const result = factory.configSchema.safeParse(block ?? {});
  if (!result.success) throw new ConfigError(`invalid config: ${describeIssues(result.error, [section, id])}`);
  return result.data;
}

function factoryFor<F>(section: string, id: string, registry: Record<string, F>): F {
  const factory = registry[typeOf(id)];
  if (!factory) throw new ConfigError(`${section}.${id}: unknown component type "${typeOf(id)}" (known: ${Object.keys(registry).join(', ')})`);
  return factory;
}

/** Refused here, at start, so that no component needs to check at run time which signal it was handed. */
function mustCarry(section: string, id: string, factory: Factory<unknown, unknown, never>, signal: Signal): void {
  if (!factory.signals.includes(signal)) {
    throw new ConfigError(`service.pipelines.${signal}: ${section}.${id} cannot carry ${signal} (it supports ${factory.signals.join(', ')})`);
  }
}

interface Step {
  id: string;
  processor: Processor;
}

interface Sink {
  id: string;
  exporter: Exporter;
}

/** Hands a batch to one exporter, counting what it took and what it refused. */
async function exportCounted(sink: Sink, batch: SignalBatch, counters: ComponentCounters): Promise<void> {
  try {
    await sink.exporter.consume(batch);
  } catch (err) {
    counters.add(sink.id, batch.table, 'refused', batch.records.length, 'export_failed');
    throw err;
  }
  counters.add(sink.id, batch.table, 'accepted', batch.records.length);
}

/** Runs a batch through processors in order, then hands it to every exporter. */
function chain(steps: Step[], sinks: Sink[], counters: ComponentCounters): Consumer {
  return {
    async consume(batch) {
      let current = batch as SignalBatch;
      for (const { id, processor } of steps) {
        const before = current.records.length;
        current = processor.process(current);
        counters.add(id, current.table, 'accepted', current.records.length);
        counters.add(id, current.table, 'dropped', before - current.records.length, 'filtered');
        if (current.records.length === 0) return;
      }
      const out = current;
      if (sinks.length === 1) return exportCounted(sinks[0], out, counters);
      await Promise.all(sinks.map((sink) => exportCounted(sink, out, counters)));
    },
  };
}

/** What a receiver hands on: accepted once durable downstream, refused (the sender is told) when that fails. */
function counted(receiverId: string, signal: Signal, next: Consumer, counters: ComponentCounters): Consumer {
  return {
    async consume(batch) {
      try {
        await next.consume(batch);
      } catch (err) {
        counters.add(receiverId, signal, 'refused', batch.records.length, 'downstream_failed');
        throw err;
      }
      counters.add(receiverId, signal, 'accepted', batch.records.length);
    },
  };
}

export function buildPipelines(config: Config, host: Host): Pipelines {
  const processors = new Map<string, Processor>();
  const exporters = new Map<string, Exporter>();
  const receiverConsumers = new Map<string, Partial<Record<Signal, Consumer>>>();

  const pipelineEntries = Object.entries(config.service.pipelines) as [Signal, (typeof config.service.pipelines)['logs']][];
  for (const [signal, pipeline] of pipelineEntries) {
    if (!pipeline) continue;
    // Processors are per pipeline instances (their state, e.g. a sampler's, belongs to one signal).
    const procs = pipeline.processors.map((id) => {
      if (!(id in config.processors)) throw new ConfigError(`service.pipelines.${signal}.processors: "${id}" is not configured under processors`);
      const factory = factoryFor<ProcessorFactory>('processors', id, processorFactories);
      mustCarry('processors', id, factory, signal);
      const instance = factory.create(configFor('processors', id, config.processors[id], factory), { id, host });
      processors.set(`${signal}:${id}`, instance);
      return { id, processor: instance };
    });
    const exps = pipeline.exporters.map((id) => {
      if (!(id in config.exporters)) throw new ConfigError(`service.pipelines.${signal}.exporters: "${id}" is not configured under exporters`);
      const factory = factoryFor<ExporterFactory>('exporters', id, exporterFactories);
      mustCarry('exporters', id, factory, signal);
      let instance = exporters.get(id);
      if (!instance) {
        instance = factory.create(configFor('exporters', id, config.exporters[id], factory), { id, host });
        exporters.set(id, instance);
      }
      return { id, exporter: instance };
    });
    const consumer = chain(procs, exps, host.counters);
    for (const id of pipeline.receivers) {
      if (!(id in config.receivers)) throw new ConfigError(`service.pipelines.${signal}.receivers: "${id}" is not configured under receivers`);
      mustCarry('receivers', id, factoryFor<ReceiverFactory>('receivers', id, receiverFactories), signal);
      const consumers = receiverConsumers.get(id) ?? {};
      consumers[signal] = counted(id, signal, consumer, host.counters);
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
