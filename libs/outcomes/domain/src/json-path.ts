/**
 * The small JSON path language `answer_path` criteria use: `$`, then `.key` or `[index]` steps,
 * e.g. `$.ranges[0].start`; a `.length` step on an array or a string gives its length
 * (`$.ranges.length`). No wildcards, filters or quoting: a path names exactly one value.
 */
export const JSON_PATH_PATTERN = /^\$(?:\.[A-Za-z_][A-Za-z0-9_-]*|\[\d{1,6}\])*$/;
export const MAX_JSON_PATH_LENGTH = 200;

export type PathStep = string | number;

/** The steps of a valid path (`$.a[2].length` → `['a', 2, 'length']`), or null if invalid. */
export function parseJsonPath(path: string): PathStep[] | null {
  if (path.length > MAX_JSON_PATH_LENGTH || !JSON_PATH_PATTERN.test(path)) return null;
  const steps: PathStep[] = [];
  for (const m of path.slice(1).matchAll(/\.([^.[]+)|\[(\d+)\]/g))
    steps.push(m[1] !== undefined ? m[1] : Number(m[2]));
  return steps;
}

/** Where a path led: the value found, or how far it got and why it stopped. */
export type PathLookup = { found: true; value: unknown } | { found: false; reason: string };

/** Follows a path through a JSON value. */
export function lookupJsonPath(root: unknown, steps: readonly PathStep[]): PathLookup {
  let node: unknown = root;
  let at = '$';
  for (const step of steps) {
    if (typeof step === 'number') {
      if (!Array.isArray(node)) return { found: false, reason: `${at} is not an array` };
      if (step >= node.length)
        return { found: false, reason: `${at} has ${node.length} item(s), no [${step}]` };
      node = node[step];
      at += `[${step}]`;
      continue;
    }
    if (step === 'length' && (Array.isArray(node) || typeof node === 'string')) {
      node = node.length;
    } else if (node !== null && typeof node === 'object' && !Array.isArray(node)) {
      if (!Object.hasOwn(node, step)) return { found: false, reason: `${at} has no "${step}"` };
      node = (node as Record<string, unknown>)[step];
    } else {
      return { found: false, reason: `${at} is not an object` };
    }
    at += `.${step}`;
  }
  return { found: true, value: node };
}
