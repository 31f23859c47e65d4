import type { ProcessorFactory } from '../../component.js';
import { samplingConfig, type SamplingConfig } from './config.js';
import { Sampler } from './sampler.js';

export const samplingProcessorFactory: ProcessorFactory<SamplingConfig> = {
  type: 'sampling',
  signals: ['logs', 'events'],
  configSchema: samplingConfig,
  create: (config) => new Sampler(config),
};
