/**
 * Deepest JSON a client may send, counted from the request body (`{"events":[{"data":{...}}]}`
 * puts `data` at level 4). MongoDB refuses documents nested more than 100 levels, and deep values
 * make recursive code (serialisers, `JSON.stringify`) overflow the stack, so the gateway refuses
 * anything deeper with a 400.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Deepest message accepted on a topic: what a client sent plus room for the envelope around it
 * (`payload.event`, `payload.metadata`). Checked by producers and consumers alike.
 */
export const MAX_MESSAGE_DEPTH = MAX_JSON_DEPTH + 8;

/** What makes a JSON value impossible to store, and where. */
export interface StorableProblem {
  path: (string | number)[];
  message: string;
}

/**
 * Finds the first part of a JSON value that MongoDB would refuse or that is nested too deep:
 * a key holding a NUL byte (BSON keys are C strings), or nesting beyond `maxDepth` levels. Walks
 * the value with an explicit stack, so a value nested 100,000 levels deep is answered without
 * recursion. Keys starting with `$` or holding dots are allowed: MongoDB 5+ stores them, and JSON
 * Schema (`$ref`, `$schema`) in tool inputs needs them.
 */
export function findUnstorable(value: unknown, maxDepth: number): StorableProblem | null {
  const stack: { value: unknown; depth: number; path: (string | number)[] }[] = [
    { value, depth: 1, path: [] },
  ];
  while (stack.length > 0) {
    const item = stack.pop() as (typeof stack)[number];
    if (item.value === null || typeof item.value !== 'object') continue;
    if (item.depth > maxDepth) {
      return {
        path: item.path,
        message: `is nested more than ${maxDepth} levels deep; flatten it or send it as a string`,
      };
    }
    const entries: [string | number, unknown][] = Array.isArray(item.value)
      ? item.value.map((v, i) => [i, v])
      : Object.entries(item.value);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i];
      if (typeof key === 'string' && key.includes('\u0000')) {
        return {
          path: item.path,
          message: `has the key ${JSON.stringify(key)}, which contains a NUL byte; keys may not contain "\\u0000"`,
        };
      }
      if (child !== null && typeof child === 'object') {
        stack.push({ value: child, depth: item.depth + 1, path: [...item.path, key] });
      }
    }
  }
  return null;
}

/** `['payload', 'event', 'data', 0]` as `payload.event.data[0]`, cut short when very long. */
export function describePath(path: (string | number)[]): string {
  const shown = path.length > 12 ? [...path.slice(0, 12), '…'] : path;
  const joined = shown
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${p}`))
    .join('');
  return joined || '(root)';
}
