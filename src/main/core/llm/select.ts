import { ConfigError } from '../config/load.ts';
import type { Settings } from '../config/settings.ts';
import type { SecretStore } from '../secrets/store.ts';
import { createHeuristicEstimator } from './heuristic.ts';
import { createOpenAIEstimator } from './openai.ts';
import type { Estimator } from './types.ts';

export const NO_ESTIMATOR_MESSAGE =
  'No estimator is configured: set OPENAI_API_KEY (and OPENAI_BASE_URL for Azure, Ollama, vLLM or LM Studio), ' +
  'or choose the offline estimator with ANALYTICS_ESTIMATOR=heuristic.';

/**
 * The LLM when a key or a base URL is configured, the heuristic only when chosen by name.
 * Never falls back silently: made-up numbers from the wrong estimator are worse than a stop.
 */
export async function createEstimator(settings: Settings, secrets: SecretStore): Promise<Estimator> {
  const apiKey = await secrets.get('openai-api-key');
  const choice = settings.llm.estimator ?? (apiKey || settings.llm.baseUrl ? 'llm' : null);
  if (choice === null) throw new ConfigError(NO_ESTIMATOR_MESSAGE);
  if (choice === 'heuristic') return createHeuristicEstimator();
  if (!apiKey && !settings.llm.baseUrl) throw new ConfigError(NO_ESTIMATOR_MESSAGE);
  return createOpenAIEstimator({
    // Local OpenAI-compatible servers (Ollama, LM Studio) need no key; the estimator handles none.
    apiKey: apiKey ?? undefined,
    baseUrl: settings.llm.baseUrl,
    model: settings.llm.model,
    requestsPerMinute: settings.llm.requestsPerMinute,
    concurrency: settings.llm.concurrency,
    timeoutMs: settings.llm.timeoutMs,
    maxRetries: settings.llm.maxRetries,
    prices: settings.llm.prices,
  });
}
