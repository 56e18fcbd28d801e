import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { renderRules, ruleSchema, type PlaybookRule } from '@reverie/playbooks-domain';
import { CliError } from '../api.client';
import { readJsonFile } from './json-file';
import { learnedFromOf, type LearnedFrom } from './learned-from';

/** A playbook file read: its version (when it says) and its active entries' rules, in order. */
export interface PlaybookFile {
  /** The role it says it is for (`GET .../playbook?role=` answers one); null for an agent's. */
  role: string | null;
  version: number | null;
  entries: number;
  rules: PlaybookRule[];
  /** What the offline dreams that wrote it learned from and chose on (none: not said). */
  learnedFrom: LearnedFrom[];
}

const STATUSES = ['proposed', 'active', 'retired'];

/**
 * Reads a playbook file in the format `GET /v1/agents/:id/playbook` answers (or `GET
 * .../versions/:v`): an object with `entries`, each with `id`, `title`, `status` and an optional
 * `rule`. Only active entries with a rule run, as an agent runs them. Anything else is a usage
 * error (exit 2) naming the file and the entry.
 */
export function readPlaybookFile(file: string): PlaybookFile {
  return playbookFromJson(file, readPlaybookFileJson(file));
}

/**
 * A playbook file's JSON as `readJsonFile` reads it. A team's dream writes one file per role
 * (`--out x.json` writes `x.<role>.json`), so a missing `x.json` beside such files is refused
 * with their names and how to pass them, not a bare ENOENT.
 */
export function readPlaybookFileJson(file: string): unknown {
  if (!existsSync(file)) {
    const roleFiles = roleFilesBeside(file);
    if (roleFiles.length)
      throw new CliError(
        `cannot read the playbook file ${file}: it does not exist, but ${roleFiles.join(', ')} do; a team's dream writes one playbook per role: give each as --playbook (e.g. ${roleFiles.map((f) => `--playbook ${f}`).join(' ')})`,
        2,
      );
  }
  return readJsonFile(file, 'playbook');
}

/** The `<stem>.<role>.json` files beside `file` (`<stem>.json`), reports left out, sorted. */
function roleFilesBeside(file: string): string[] {
  const stem = basename(file).replace(/\.json$/i, '');
  const dir = dirname(file);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const role = (n: string) =>
    n.startsWith(`${stem}.`) && n.endsWith('.json') ? n.slice(stem.length + 1, -5) : '';
  return names
    .filter((n) => /^[\w-]+$/.test(role(n)) && role(n) !== 'report')
    .sort()
    .map((n) => join(dir, n));
}

/** `readPlaybookFile` on JSON already read from `file` (named in each refusal). */
export function playbookFromJson(file: string, json: unknown): PlaybookFile {
  const body = playbookJson(file, json);
  const entries = body.entries.map((e: unknown, i: number) =>
    checkEntry(e, `${file}: entries[${i}]`),
  );
  refuseDuplicateIds(
    file,
    entries.map((e) => e.id as string),
  );
  return {
    role: typeof body.role === 'string' ? body.role : null,
    version: versionOf(file, body.version),
    entries: entries.length,
    rules: renderRules({ entries: entries as Parameters<typeof renderRules>[0]['entries'] }),
    learnedFrom: learnedFromOf(file, body),
  };
}

/** What a playbook file holds, refused (exit 2) unless it is a JSON object. */
export type PlaybookJson = { role?: unknown; version?: unknown; entries?: unknown };

/** A playbook file's JSON, refused (exit 2, naming the file) when unreadable or no object. */
export function readPlaybookJson(file: string): PlaybookJson & { entries: unknown[] } {
  return playbookJson(file, readPlaybookFileJson(file));
}

function playbookJson(file: string, json: unknown): PlaybookJson & { entries: unknown[] } {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw notAPlaybook(file);
  const body = json as PlaybookJson;
  if (!('entries' in body)) throw notAPlaybook(file);
  if (!Array.isArray(body.entries))
    throw new CliError(
      `${file}: "entries" must be a list (empty for no entries), not ${shown(body.entries)}`,
      2,
    );
  refuseEntriesAtVersionZero(file, body);
  return body as PlaybookJson & { entries: unknown[] };
}

/**
 * Refuses entries at `version` 0: version 0 is the empty playbook `GET` answers before the first
 * version exists (`eval` and `dream` both read it as no playbook), and versions with entries start
 * at 1, so such a file was edited by hand or is not what it says.
 */
function refuseEntriesAtVersionZero(file: string, body: PlaybookJson): void {
  if (body.version === 0 && Array.isArray(body.entries) && body.entries.length > 0)
    throw new CliError(
      `${file}: "version" 0 is the empty playbook (before the first version), but it has ${body.entries.length} entr${body.entries.length > 1 ? 'ies' : 'y'}; a playbook with entries has version 1 or more`,
      2,
    );
}

/** A JSON value as a refusal shows it: `42`, `"none"`, or `nothing` for a missing one. */
const shown = (value: unknown) => (value === undefined ? 'nothing' : JSON.stringify(value));

/** A playbook's `version`: a whole number from 0, or absent (null); anything else is refused. */
function versionOf(file: string, version: unknown): number | null {
  if (version === undefined || version === null) return null;
  if (typeof version === 'number' && Number.isInteger(version) && version >= 0) return version;
  throw new CliError(
    `${file}: "version" must be a whole number from 0, as GET /v1/agents/:id/playbook answers, not ${shown(version)}`,
    2,
  );
}

const notAPlaybook = (file: string) =>
  new CliError(
    `${file} is not a playbook: expected an object with "entries", as GET /v1/agents/:id/playbook answers`,
    2,
  );

function checkEntry(e: unknown, where: string) {
  const entry = e as { id?: unknown; title?: unknown; status?: unknown; rule?: unknown };
  if (typeof e !== 'object' || e === null || Array.isArray(e))
    throw new CliError(`${where} is not an object (an entry), but ${shown(e)}`, 2);
  if (typeof entry.id !== 'string' || !entry.id)
    throw new CliError(`${where}: "id" must be a non-empty string, not ${shown(entry.id)}`, 2);
  if (typeof entry.title !== 'string')
    throw new CliError(
      `${where} (${entry.id}): "title" must be a string, not ${shown(entry.title)}`,
      2,
    );
  if (typeof entry.status !== 'string' || !STATUSES.includes(entry.status))
    throw new CliError(
      `${where} (${entry.id}): "status" must be one of ${STATUSES.join(', ')}, not ${shown(entry.status)}`,
      2,
    );
  if (entry.rule === undefined || entry.rule === null) return { ...entry, rule: undefined };
  const rule = ruleSchema.safeParse(entry.rule);
  if (!rule.success) {
    const issue = rule.error.issues[0];
    throw new CliError(`${where} (${entry.id}): rule.${issue.path.join('.')} ${issue.message}`, 2);
  }
  return { ...entry, rule: rule.data };
}

/**
 * Refuses two entries with one id: rules are counted, reported and edited by their entry's id,
 * so the second would be reported as the first.
 */
export function refuseDuplicateIds(file: string, ids: readonly string[]): void {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) throw new CliError(`${file}: two entries have the id "${id}"`, 2);
    seen.add(id);
  }
}

/** Who follows a playbook of an offline environment (its CLI alias), as the refusals name it. */
export function followerName(environment: string, role: string | null): string {
  if (environment === 'triage' && role === null) return 'CI-log triager';
  if (environment === 'lander' && role !== null) return `lunar ${role}`;
  return role === null ? `${environment} agent` : `${environment} ${role}`;
}

/**
 * Refuses a playbook none of whose rules `follower` can follow: it is another environment's or
 * another role's playbook, and running without a word would report day-one numbers as the
 * playbook's. A playbook with some such rules runs; the caller notes the skipped ones.
 */
export function refuseUnusable(
  file: string,
  follower: string,
  rules: readonly PlaybookRule[],
  skipped: readonly { entryId: string; reason: string }[],
): void {
  if (rules.length === 0 || skipped.length < rules.length) return;
  const [first] = skipped;
  throw new CliError(
    `${file}: none of its ${rules.length} rule(s) is one the ${follower} can follow (rule ${first.entryId}: ${first.reason}); is it another environment's or another role's playbook?`,
    2,
  );
}

/**
 * A `--playbook [role=]FILE` argument: the role it names (null if none) and the file. A file
 * whose own name has an "=" is that file, not a role.
 */
export function splitPlaybookSpec(spec: string): { named: string | null; file: string } {
  if (!existsSync(spec) && /^[a-z][a-z0-9_-]*=$/.test(spec))
    throw new CliError(
      `--playbook ${spec} names the role but no file; give --playbook ${spec}<file.json>`,
      2,
    );
  const m = existsSync(spec) ? null : /^([a-z][a-z0-9_-]*)=(.+)$/.exec(spec);
  return { named: m?.[1] ?? null, file: m?.[2] ?? spec };
}

/**
 * Refuses a role for an agent with one playbook and no roles (a triage agent, `agent` its
 * environment's name): named on the command line (`--playbook navigator=FILE`, checked before
 * the file is read) or, once read, in the file's own `role` (`declared`): it is a team's role's
 * playbook, with no rule the agent could refuse it by.
 */
export function refuseRoleForAgent(spec: string, declared: unknown, agent: string): void {
  const { named, file } = splitPlaybookSpec(spec);
  if (named)
    throw new CliError(
      `--playbook ${spec}: a ${agent} agent has one playbook and no roles; give it as --playbook ${file}`,
      2,
    );
  if (typeof declared === 'string')
    throw new CliError(
      `${file} is the ${declared}'s playbook (its "role"), and a ${agent} agent has one playbook with no role; give the ${agent} agent's playbook`,
      2,
    );
}

/**
 * Refuses `role=FILE` when the file's own `role` (`declared`, as read from it) is another role:
 * the named role would silently take another role's playbook.
 */
export function refuseOtherRole(file: string, named: string | null, declared: unknown): void {
  if (named && typeof declared === 'string' && declared !== named)
    throw new CliError(
      `${file} is the ${declared}'s playbook (its "role"), not the ${named}'s; give it as --playbook ${declared}=${file}`,
      2,
    );
}

/**
 * The refusal of a playbook that names no role, for an agent of `roles`: when none of them can
 * follow any of its rules, that it is another environment's (naming a role would only be refused
 * next); otherwise the role whose rule space fits it best, to name as `role=FILE`.
 */
export function whoseRole(
  file: string,
  rules: readonly PlaybookRule[],
  roles: readonly string[],
  skippedBy: (
    role: string,
    rules: readonly PlaybookRule[],
  ) => readonly { entryId: string; reason: string }[],
): CliError {
  const fits = roles.map((role) => ({ role, skipped: skippedBy(role, rules) }));
  if (rules.length && fits.every((f) => f.skipped.length === rules.length)) {
    const first = fits[0].skipped[0];
    return new CliError(
      `${file}: none of its ${rules.length} rule(s) is one any of the roles (${roles.join(', ')}) can follow (rule ${first.entryId}: ${first.reason}); is it another environment's playbook?`,
      2,
    );
  }
  const best = rules.length
    ? fits.reduce((a, b) => (b.skipped.length < a.skipped.length ? b : a)).role
    : '<role>';
  return new CliError(
    `${file}: cannot tell which role's playbook it is; give it as --playbook ${best}=${file} (roles: ${roles.join(', ')})`,
    2,
  );
}
