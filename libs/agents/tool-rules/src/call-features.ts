/**
 * The observable features of a tool call, computed the same way by an agent about to make the
 * call and by a dreamer reading the call back from the session's events. They know no tool or
 * environment: a tool's name, who calls it, the shape of each argument, what came before and what
 * is still to come in the session, and whether this call retries a failed one.
 *
 * Feature names (a playbook rule's `when` tests them):
 * - `tool`, `actor`: the tool's name, the role that calls it;
 * - `arg.<name>.shape`: the argument's shape (`dddd-dd-dd`, `AAd dAA`, `number`, `text`, ...);
 * - `arg.<name>`: a numeric argument's value;
 * - `prior.<tool>`: true when `<tool>` succeeded earlier in the session (absent otherwise);
 * - `later.<tool>`: true when `<tool>` is called later in the session (for an agent: planned);
 * - `retry`: true when the same tool failed just before; `error`: the error code, after a failure.
 */

/** One tool call as it happened: what was asked and whether it worked. */
export interface CallRecord {
  tool: string;
  actor: string | null;
  args: Record<string, unknown>;
  ok: boolean;
  /** The error code of a failed call (`RATE_LIMITED`), or `error` when it gave none. */
  errorCode: string | null;
  /** A numeric back-off hint the failed call's output gave (`retry_after_ms`), if any. */
  retryAfterMs: number | null;
  /** How long the caller waited right before this call (ms), 0 when it did not. */
  waitedMs: number;
  step: number | null;
}

export type CallFeatures = Record<string, string | number | boolean>;

const MAX_SHAPE_CHARS = 24;

/**
 * An argument's shape: each digit becomes `d`, each upper-case letter `A`, each lower-case one `a`,
 * other characters stay; numbers are `number`, booleans `boolean`, long text `text`.
 */
export function argShape(value: unknown): string {
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'object') return 'object';
  const s = String(value);
  if (s.length > MAX_SHAPE_CHARS) return 'text';
  return s.replace(/[0-9A-Za-z]/g, (c) => (c >= '0' && c <= '9' ? 'd' : c >= 'a' ? 'a' : 'A'));
}

/** Argument names that stay usable as feature names (letters, digits, `_`, `-`). */
const SAFE_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

/**
 * The features of the call at `index` of `calls`: `calls` is the session's calls in order (for an
 * agent: those made so far, the one about to be made, then the planned ones).
 */
export function callFeatures(calls: readonly CallRecord[], index: number): CallFeatures {
  const call = calls[index];
  const f: CallFeatures = { tool: call.tool };
  if (call.actor) f.actor = call.actor;
  for (const [name, value] of Object.entries(call.args)) {
    if (!SAFE_NAME.test(name)) continue;
    f[`arg.${name}.shape`] = argShape(value);
    if (typeof value === 'number' && Number.isFinite(value)) f[`arg.${name}`] = value;
  }
  for (let i = 0; i < index; i++) if (calls[i].ok) f[`prior.${calls[i].tool}`] = true;
  for (let i = index + 1; i < calls.length; i++)
    if (calls[i].tool !== call.tool) f[`later.${calls[i].tool}`] = true;
  const previous = calls[index - 1];
  if (previous && previous.tool === call.tool && !previous.ok) f.retry = true;
  return f;
}

/** The features of a failed call as an error handler sees them: its call features and the code. */
export function errorFeatures(calls: readonly CallRecord[], index: number): CallFeatures {
  const f = callFeatures(calls, index);
  const code = calls[index].errorCode;
  if (code) f.error = code;
  return f;
}
