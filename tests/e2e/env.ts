// Names of the environment variables global setup hands to the test workers.
export const E2E_ENV = {
  url: 'COGNIFORCE_E2E_URL',
  origin: 'COGNIFORCE_E2E_ORIGIN',
  token: 'COGNIFORCE_E2E_TOKEN',
  analyticsUrl: 'COGNIFORCE_E2E_ANALYTICS_URL',
  sourceUrl: 'COGNIFORCE_E2E_SOURCE_URL',
  sourceCluster: 'COGNIFORCE_E2E_SOURCE_CLUSTER',
  llmUrl: 'COGNIFORCE_E2E_LLM_URL',
  home: 'COGNIFORCE_E2E_HOME',
} as const;

export function e2eEnv(name: keyof typeof E2E_ENV): string {
  const value = process.env[E2E_ENV[name]];
  if (!value) throw new Error(`${E2E_ENV[name]} is not set: run the e2e tests through playwright.config.ts (its global setup sets it).`);
  return value;
}
