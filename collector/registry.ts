import type { ExporterFactory, ProcessorFactory, ReceiverFactory } from './component.js';
import { goodlogsReceiverFactory } from './receivers/goodlogs/factory.js';
import { logtrailReceiverFactory } from './receivers/logtrail/factory.js';
import { logtraceReceiverFactory } from './receivers/logtrace/factory.js';
import { otlpReceiverFactory } from './receivers/otlp/factory.js';
import { logstashReceiverFactory } from './receivers/logstash/factory.js';
import { flattenProcessorFactory } from './processors/flatten/factory.js';
import { useragentProcessorFactory } from './processors/useragent/factory.js';
import { ipProcessorFactory } from './processors/ip/factory.js';
import { severityProcessorFactory } from './processors/severity/factory.js';
import { samplingProcessorFactory } from './processors/sampling/factory.js';
import { limitsProcessorFactory } from './processors/limits/factory.js';
import { busExporterFactory } from './exporters/bus/factory.js';

/** Every component type a config may name. */
export const receiverFactories: Record<string, ReceiverFactory> = Object.fromEntries(
  [goodlogsReceiverFactory, logtrailReceiverFactory, logtraceReceiverFactory, otlpReceiverFactory, logstashReceiverFactory].map((f) => [f.type, f]),
);

export const processorFactories: Record<string, ProcessorFactory> = Object.fromEntries(
  [flattenProcessorFactory, useragentProcessorFactory, ipProcessorFactory, severityProcessorFactory, samplingProcessorFactory, limitsProcessorFactory].map((f) => [f.type, f]),
);

export const exporterFactories: Record<string, ExporterFactory> = Object.fromEntries([busExporterFactory].map((f) => [f.type, f]));
