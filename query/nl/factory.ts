// The provider `ai.provider` names. The OpenAI-compatible one needs its key in the environment: a missing
// key stops loglake at start rather than failing every request later.
import { ConfigError } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import { offlineProvider } from './offline.js';
import { openAiProvider } from './openai.js';
import type { NlProvider } from './provider.js';

export function nlProviderOf(ai: Config['ai'], env: NodeJS.ProcessEnv): NlProvider {
  if (ai.provider === 'offline') return offlineProvider;
  const apiKey = env[ai.api_key_env];
  if (!apiKey) throw new ConfigError(`invalid config: ai.api_key_env: ${ai.api_key_env} is not set (ai.provider is openai)`);
  return openAiProvider({ base_url: ai.base_url, model: ai.model, api_key: apiKey, timeout_ms: ai.timeout_ms });
}
