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

/** Checks beyond what MongoDB refuses (see `findUnstorable`). */
export interface StorableChecks {
  /**
   * Refuse numbers that are not finite: what `JSON.parse` makes of `1e400`. Accepted, it would
   * become `null` the moment it is serialised again (a Kafka message, an HTTP answer), so a client
   * would read back something it never sent. For what clients send the gateway.
   */
  finiteNumbers?: boolean;
}

export const NON_FINITE_MESSAGE =
  'is a number too large for JSON (it parses as Infinity and would be stored as null); send it as a string';

/**
 * Finds the first part of a JSON value that MongoDB would refuse or that is nested too deep:
 * a key holding a NUL byte (BSON keys are C strings), or nesting beyond `maxDepth` levels (and,
 * with `finiteNumbers`, a number that is not finite). Walks the value with an explicit stack, so a
 * value nested 100,000 levels deep is answered without recursion, in one pass whatever is checked.
 * Keys starting with `$` or holding dots are allowed: MongoDB 5+ stores them, and JSON Schema
 * (`$ref`, `$schema`) in tool inputs needs them.
 */
export function findUnstorable(
  value: unknown,
  maxDepth: number,
  checks: StorableChecks = {},
): StorableProblem | null {
  // Each entry links to its parent instead of copying the path: the path is only built for the
  // problem found, so checking a large valid value allocates little (it runs on every message).
  const stack: Frame[] = [];
  const root: Frame = { value: null, depth: 0, parent: null, key: '' };
  const push = (child: unknown, parent: Frame, key: string | number): void => {
    // Only objects and arrays are walked further: nothing else can hold a key or nest. A number
    // that is not finite gets a frame too, so problems are found in document order.
    const nonFinite = checks.finiteNumbers && typeof child === 'number' && !Number.isFinite(child);
    if (nonFinite || (child !== null && typeof child === 'object')) {
      stack.push({ value: child, depth: parent.depth + 1, parent, key });
    }
  };
  push(value, root, '');
  while (stack.length > 0) {
    const item = stack.pop() as Frame;
    if (typeof item.value === 'number') return { path: pathOf(item), message: NON_FINITE_MESSAGE };
    if (item.depth > maxDepth) {
      return {
        path: pathOf(item),
        message: `is nested more than ${maxDepth} levels deep; flatten it or send it as a string`,
      };
    }
    const object = item.value as object;
    if (Array.isArray(object)) {
      for (let i = object.length - 1; i >= 0; i--) push(object[i], item, i);
      continue;
    }
    const keys = Object.keys(object);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i];
      if (key.includes('\u0000')) {
        return {
          path: pathOf(item),
          message: `has the key ${JSON.stringify(key)}, which contains a NUL byte; keys may not contain "\\u0000"`,
        };
      }
      push((object as Record<string, unknown>)[key], item, key);
    }
  }
  return null;
}

interface Frame {
  value: unknown;
  depth: number;
  parent: Frame | null;
  key: string | number;
}

function pathOf(frame: Frame): (string | number)[] {
  const path: (string | number)[] = [];
  // The root's parent is a placeholder (depth 0): the root itself has no key in the path.
  for (let f: Frame | null = frame; f && f.depth > 1; f = f.parent) path.push(f.key);
  return path.reverse();
}

/** `['payload', 'event', 'data', 0]` as `payload.event.data[0]`, cut short when very long. */
export function describePath(path: (string | number)[]): string {
  const shown = path.length > 12 ? [...path.slice(0, 12), '…'] : path;
  const joined = shown
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${p}`))
    .join('');
  return joined || '(root)';
}
