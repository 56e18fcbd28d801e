/** US dollars per million tokens, by kind of token. */
export interface ModelPrice {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

/**
 * What `token_budget` criteria charge for a model call, by model-name prefix (the longest
 * matching prefix wins, so `claude-opus-4-5-20251101` is priced as `claude-opus-4-5`). Anthropic's
 * list prices (USD per million tokens; cache writes at the 5-minute rate). Update this table when
 * prices change or models are added; calls through the `builtin` provider cost nothing.
 */
export const MODEL_PRICES: Readonly<Record<string, ModelPrice>> = {
  'claude-opus-4-5': { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
  'claude-opus-4': { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 },
  'claude-3-opus': { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 },
  'claude-sonnet-4': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  'claude-3-7-sonnet': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  'claude-3-5-sonnet': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  'claude-haiku-4-5': { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25 },
  'claude-3-5-haiku': { input: 0.8, output: 4, cacheRead: 0.08, cacheWrite: 1 },
  'claude-3-haiku': { input: 0.25, output: 1.25, cacheRead: 0.03, cacheWrite: 0.3 },
};

/** The price of a model the table does not know: a mid-tier (Sonnet) rate. */
export const DEFAULT_MODEL_PRICE: ModelPrice = {
  input: 3,
  output: 15,
  cacheRead: 0.3,
  cacheWrite: 3.75,
};

const FREE: ModelPrice = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };

/** The price of a model call: free for `builtin`, the table's longest prefix, or the default. */
export function priceOf(provider: string, model: string): { price: ModelPrice; known: boolean } {
  if (provider === 'builtin') return { price: FREE, known: true };
  const prefix = Object.keys(MODEL_PRICES)
    .filter((p) => model.startsWith(p))
    .sort((a, b) => b.length - a.length)[0];
  return prefix
    ? { price: MODEL_PRICES[prefix], known: true }
    : { price: DEFAULT_MODEL_PRICE, known: false };
}

/** The cost in USD of some token counts at a price. */
export function costUsd(
  usage: { input: number; output: number; cacheRead: number; cacheWrite: number },
  price: ModelPrice,
): number {
  return (
    (usage.input * price.input +
      usage.output * price.output +
      usage.cacheRead * price.cacheRead +
      usage.cacheWrite * price.cacheWrite) /
    1_000_000
  );
}
