// Cost of an LLM call from its token counts and the editable price table (USD per million
// tokens). The table is keyed by the names people type in Settings ("gpt-4o-mini"), while
// endpoints answer with dated snapshots ("gpt-4o-mini-2024-07-18"), so lookups fall back to the
// longest key that prefixes the model name.

import type { ModelPrice } from '../config/settings.ts';

export type { ModelPrice };

export type PriceTable = Readonly<Record<string, ModelPrice>>;

/** OpenAI's Batch API bills half the synchronous price; kept here for a later batch mode. */
export const BATCH_PRICE_FACTOR = 0.5;

export interface PriceMatch {
  /** The table key that matched. */
  key: string;
  price: ModelPrice;
}

export function findPrice(prices: PriceTable, ...modelNames: Array<string | undefined>): PriceMatch | undefined {
  const names = modelNames.filter((name): name is string => typeof name === 'string' && name.length > 0);
  for (const name of names) {
    const exact = prices[name];
    if (exact) return { key: name, price: exact };
  }
  for (const name of names) {
    const lower = name.toLowerCase();
    let best: PriceMatch | undefined;
    for (const [key, price] of Object.entries(prices)) {
      // A prefix must end at a separator, so "gpt-4o" does not price "gpt-4o1-preview".
      const k = key.toLowerCase();
      const boundary = lower.length === k.length || /[-:@/._ ]/.test(lower.charAt(k.length));
      if (lower.startsWith(k) && boundary && (!best || key.length > best.key.length)) best = { key, price };
    }
    if (best) return best;
  }
  return undefined;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

/**
 * USD for one call. `priceFactor` scales the whole bill (BATCH_PRICE_FACTOR for batch jobs).
 * Rounded to 1e-9 USD so sums over thousands of calls do not accumulate float noise in reports.
 */
export function costUsd(usage: TokenUsage, price: ModelPrice, priceFactor = 1): number {
  const raw = ((usage.inputTokens * price.inputPerMTok + usage.outputTokens * price.outputPerMTok) / 1_000_000) * priceFactor;
  return Math.round(raw * 1e9) / 1e9;
}

export interface PricedUsage {
  costUsd: number;
  /** False when no price is known for the model: cost is then reported as 0, not guessed. */
  priced: boolean;
  priceKey: string | undefined;
}

export function priceUsage(
  prices: PriceTable,
  usage: TokenUsage,
  models: { configured: string; reported?: string | undefined },
  priceFactor = 1,
): PricedUsage {
  const match = findPrice(prices, models.configured, models.reported);
  if (!match) return { costUsd: 0, priced: false, priceKey: undefined };
  return { costUsd: costUsd(usage, match.price, priceFactor), priced: true, priceKey: match.key };
}
