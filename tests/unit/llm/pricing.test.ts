import { describe, expect, it } from 'vitest';
import { DEFAULT_PRICES } from '../../../src/main/core/config/settings.ts';
import { BATCH_PRICE_FACTOR, costUsd, findPrice, priceUsage } from '../../../src/main/core/llm/pricing.ts';

describe('pricing', () => {
  it('prices tokens per million', () => {
    // gpt-4o-mini: $0.15 in, $0.60 out per MTok.
    expect(costUsd({ inputTokens: 1_000_000, outputTokens: 1_000_000 }, DEFAULT_PRICES['gpt-4o-mini']!)).toBeCloseTo(0.75, 12);
    expect(costUsd({ inputTokens: 400, outputTokens: 80 }, DEFAULT_PRICES['gpt-4o-mini']!)).toBeCloseTo(0.000108, 12);
  });

  it('applies the batch factor', () => {
    const price = { inputPerMTok: 2, outputPerMTok: 8 };
    expect(costUsd({ inputTokens: 1_000_000, outputTokens: 0 }, price, BATCH_PRICE_FACTOR)).toBe(1);
  });

  it('matches dated snapshots to the longest table key', () => {
    expect(findPrice(DEFAULT_PRICES, 'gpt-4o-mini-2024-07-18')?.key).toBe('gpt-4o-mini');
    expect(findPrice(DEFAULT_PRICES, 'gpt-4o-2024-08-06')?.key).toBe('gpt-4o');
    expect(findPrice(DEFAULT_PRICES, 'gpt-4.1-nano')?.key).toBe('gpt-4.1-nano');
    // A prefix must end at a separator.
    expect(findPrice({ 'gpt-4o': { inputPerMTok: 1, outputPerMTok: 1 } }, 'gpt-4omni')).toBeUndefined();
  });

  it('prefers the configured name, then what the endpoint reported', () => {
    const match = findPrice(DEFAULT_PRICES, 'my-azure-deployment', 'gpt-4.1-mini-2025-04-14');
    expect(match?.key).toBe('gpt-4.1-mini');
  });

  it('reports an unknown model as unpriced with cost 0 rather than guessing', () => {
    expect(priceUsage(DEFAULT_PRICES, { inputTokens: 500, outputTokens: 50 }, { configured: 'llama3.1:8b' })).toEqual({
      costUsd: 0,
      priced: false,
      priceKey: undefined,
    });
  });
});
