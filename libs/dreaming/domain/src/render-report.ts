import { totalTokens, type ChangeRecord, type DreamReport, type DreamUsage } from './dream.types';
import { rateIntervalText, type GroupScore, type SplitScore } from './objective';

/** Rows of the localisation table; the rest are counted, not listed. */
export const REPORT_MAX_LOCALISATION_ROWS = 50;

const n = (x: number) => x.toLocaleString('en-US');
const num = (x: number | null) =>
  x === null ? '–' : Number.isInteger(x) ? n(x) : String(Math.round(x * 1000) / 1000);

/** A table cell: one line, pipes escaped so they don't split the cell. */
export const cell = (value: unknown): string =>
  String(value ?? '–')
    .replace(/\r?\n/g, ' ')
    .replace(/\|/g, '\\|');

function table(head: string[], rows: unknown[][]): string[] {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ];
}

/** A fenced block whose fence is longer than any backtick run in the content. */
function fenced(lang: string, text: string): string[] {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  return [`${fence}${lang}`, text, fence];
}

export function formatDuration(startedAt: string, endedAt: string): string {
  const ms = Date.parse(endedAt) - Date.parse(startedAt);
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s - m * 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

const tokens = (u: DreamUsage) =>
  `${n(totalTokens(u))} tokens (in ${n(u.input_tokens)}, out ${n(u.output_tokens)})`;
const pct = (x: number) => `${Math.round(x * 100)}%`;

function summary(r: DreamReport): string {
  const promoted =
    r.validation === null ? 'not validated' : r.validation.promote ? 'promoted' : 'not promoted';
  // What the dream made, not the candidate curate drafted (its stage line counts that): after a
  // refusal, only the counters, kept unless publish kept none (a canary trial was running).
  const counters = r.changes.length > 0 && r.changes.every((c) => c.kind === 'record_outcome');
  const plural = r.changes.length === 1 ? '' : 's';
  const kept = r.publication?.playbooks.length ? 'kept' : 'not kept';
  return [
    `${n(r.sessionsReviewed)} sessions reviewed`,
    `${n(r.failedSessions)} failed`,
    counters
      ? `${n(r.changes.length)} counter update${plural} ${kept}`
      : `${n(r.changes.length)} change${plural}`,
    promoted,
    tokens(r.usage),
    `${n(r.simulations)} simulations`,
  ].join(' · ');
}

function changeSection(c: ChangeRecord, i: number): string[] {
  const lines = [
    `### ${i + 1}. ${c.kind}: ${c.title.replace(/\r?\n/g, ' ')}`,
    '',
    `- Role: ${c.role ?? '–'}`,
    `- Entry: ${c.entryId ? `\`${c.entryId}\`` : '–'}`,
    `- Reason: ${c.reason.replace(/\r?\n/g, ' ')}`,
  ];
  if (c.evidence.length) {
    lines.push('- Evidence:');
    for (const e of c.evidence)
      lines.push(
        `  - \`${e.sessionId}\`${e.step !== undefined ? ` step ${e.step}` : ''}${e.note ? `: ${e.note.replace(/\r?\n/g, ' ')}` : ''}`,
      );
  } else lines.push('- Evidence: none');
  if (c.rule !== undefined) lines.push('', ...fenced('json', JSON.stringify(c.rule, null, 2)));
  return [...lines, ''];
}

function validationSection(r: DreamReport): string[] {
  const v = r.validation;
  if (!v) return ['Not validated.', ''];
  if (v.heldOut === 0)
    return [
      `- Split: ${v.split ?? 'validation'} (no task: nothing was judged)`,
      `- Promote: no: ${v.reason}`,
      '',
    ];
  const lines = [
    `- Split: ${v.split ?? 'validation'} (${n(v.heldOut)} tasks; chooses and gates, never reported as the result)`,
    `- ${v.metric}: ${num(v.before)} → ${num(v.after)}`,
    ...Object.entries(v.extra ?? {}).map(([k, x]) => `- ${k}: ${num(x)}`),
    ...(v.criteria ?? []).map(
      (c) => `- criterion ${c.id} (mean score): ${num(c.before)} → ${num(c.after)}`,
    ),
    `- Regressions (${v.regressions.length}): ${v.regressions.join(', ') || 'none'}`,
    `- Improvements (${v.improvements.length}): ${v.improvements.join(', ') || 'none'}`,
    `- Promote: ${v.promote ? 'yes' : 'no'}: ${v.reason}`,
  ];
  return [...lines, ''];
}

function objectiveSection(r: DreamReport): string[] {
  const o = r.objective;
  if (!o) return ['Not recorded.', ''];
  return [
    `${o.source === 'agent' ? `The agent's outcome definition v${o.version}` : "The environment's default rubric (the agent has no outcome definition)"}: ${o.description}`,
    '',
    `- Criteria: ${o.criteria.map((c) => `${c.id}${c.required ? ' (required)' : ''}`).join(', ')}`,
    ...(o.notGradable.length ? [`- Not gradable in a sandbox: ${o.notGradable.join(', ')}`] : []),
    '',
  ];
}

/** A split's rate with its 95 % interval: small splits move a lot with one task. */
const rate = (s: GroupScore) =>
  `${n(s.satisfied)}/${n(s.tasks)} (${pct(s.satisfiedRate)}; 95% CI ${rateIntervalText(s.satisfied, s.tasks)}%)`;

function factMedians(m: Record<string, number | null>): string {
  return (
    Object.entries(m)
      .filter(([, x]) => x !== null)
      .map(([k, x]) => `${k} ${num(x)}`)
      .join(', ') || '–'
  );
}

function testSection(r: DreamReport): string[] {
  const t = r.test;
  if (!t) return ['No test split.', ''];
  const row = (label: string, family: string, g: SplitScore | SplitScore['families'][number]) => [
    label,
    family,
    rate(g),
    num(g.meanScore),
    factMedians(g.medians.all),
    factMedians(g.medians.satisfied),
  ];
  // One family is the whole split: one row, named by it (two would repeat each other).
  const rows = (label: string, s: SplitScore) =>
    s.families.length === 1
      ? [row(label, s.families[0].family ? `${s.families[0].family} (all)` : 'all', s)]
      : [row(label, 'all', s), ...s.families.map((f) => row(label, f.family || '–', f))];
  return [
    'Tasks no dream learns from, chooses with or gates on; read once every decision was made.',
    '',
    ...table(
      ['Rules', 'Family', 'Satisfied (test)', 'Mean score', 'Medians (all)', 'Medians (satisfied)'],
      [...rows('before', t.before), ...(t.after ? rows('after', t.after) : [])],
    ),
    '',
    ...(t.after ? [] : ['Nothing was promoted: the test split is the current rules only.', '']),
  ];
}

function publicationSection(r: DreamReport): string[] {
  const p = r.publication;
  if (!p) return ['Nothing published.', ''];
  // Counters only: no behaviour change was promoted, the versions keep each rule's use counts.
  const countersOnly = r.changes.length > 0 && r.changes.every((c) => c.kind === 'record_outcome');
  const mode = countersOnly
    ? "Counters kept (no behaviour change was promoted): new active versions record how each rule's uses went."
    : p.mode === 'apply'
      ? 'Applied (new active versions).'
      : 'Proposed (waiting for approval).';
  if (!p.playbooks.length) return [mode, '', 'No playbook version was made.', ''];
  return [
    mode,
    '',
    ...table(
      ['Role', 'Version', 'Status'],
      p.playbooks.map((b) => [b.role ?? '–', b.version, b.status]),
    ),
    '',
  ];
}

/**
 * The dream's correction report as Markdown, for people to download and read: what went wrong
 * where, what the dream changed and why, whether it held up on held-out sessions, what it cost.
 */
export function renderDreamReport(r: DreamReport): string {
  const out: string[] = [
    `# Dream ${r.dreamId}: ${r.status}`,
    '',
    `Agent \`${r.agentId}\` · environment ${r.environment} · started ${r.createdAt}${r.endedAt ? ` · ended ${r.endedAt}` : ''}`,
    '',
    summary(r),
    '',
    '## Patterns',
    '',
  ];
  out.push(
    ...(r.patterns.length
      ? [
          ...table(
            ['Pattern', 'Frequency', 'Roles', 'Steps'],
            r.patterns.map((p) => [
              p.description,
              p.count,
              p.roles.join(', ') || '–',
              p.steps.join(', ') || '–',
            ]),
          ),
          '',
        ]
      : ['No recurring failure.', '']),
  );

  out.push('## Where each failure went wrong', '');
  if (r.localisations.length) {
    const shown = r.localisations.slice(0, REPORT_MAX_LOCALISATION_ROWS);
    out.push(
      ...table(
        ['Session', 'Task', 'Failure', 'Step', 'Role', 'Method', 'Confidence', 'Detail'],
        shown.map((l) => [
          l.sessionId,
          l.task,
          l.failure,
          l.step ?? '–',
          l.role ?? '–',
          l.method,
          pct(l.confidence),
          l.detail,
        ]),
      ),
    );
    const more = r.localisations.length - shown.length;
    if (more > 0) out.push('', `…and ${n(more)} more`);
    out.push('');
  } else out.push('No failed session was localised.', '');

  out.push('## Changes', '');
  if (r.changes.length) r.changes.forEach((c, i) => out.push(...changeSection(c, i)));
  else out.push('No change.', '');

  out.push('## Objective', '', ...objectiveSection(r));
  out.push('## Validation', '', ...validationSection(r));
  out.push('## Test split', '', ...testSection(r));
  out.push('## Publication', '', ...publicationSection(r));

  out.push('## Stages', '');
  out.push(
    ...(r.stages.length
      ? table(
          ['Stage', 'Duration', 'Summary', 'Simulations', 'Tokens'],
          r.stages.map((s) => [
            s.stage,
            formatDuration(s.startedAt, s.endedAt),
            s.summary,
            n(s.simulations),
            n(totalTokens(s.usage)),
          ]),
        )
      : ['No stage ran.']),
    '',
  );

  out.push(
    '## Usage',
    '',
    `- Input tokens: ${n(r.usage.input_tokens)}`,
    `- Output tokens: ${n(r.usage.output_tokens)}`,
    `- Cache read input tokens: ${n(r.usage.cache_read_input_tokens)}`,
    `- Cache creation input tokens: ${n(r.usage.cache_creation_input_tokens)}`,
    `- Simulations: ${n(r.simulations)}`,
    '',
  );

  if (r.notes.length)
    out.push('## Notes', '', ...r.notes.map((note) => `- ${note.replace(/\r?\n/g, ' ')}`), '');
  return out.join('\n');
}
