import { createHash } from 'node:crypto';
import type { LineRange } from './line-range';
import { normaliseLog } from './log-format';
import type { LogFormat, TriageCase } from './triage-case';

/**
 * Log-format families: a labelled case rewritten as another CI system prints it, with the same
 * build output and the same labelled lines (shifted by the lines the CI system adds before them).
 * They measure whether what a dream learns holds on logs of a shape it never saw. The job names
 * say "build" on purpose: that is what made a learned `\bbuild\b` rule select a whole log.
 */
export const LOG_FAMILIES = [
  'original',
  'github-actions-raw',
  'github-actions-full',
  'jenkins',
  'gitlab',
] as const;
export type LogFamily = (typeof LOG_FAMILIES)[number];

const ESC = '\u001b';
const FORMAT: Record<LogFamily, LogFormat | null> = {
  original: null,
  'github-actions-raw': 'RAW_GITHUB',
  'github-actions-full': 'FULL_GITHUB',
  jenkins: 'JENKINS',
  gitlab: 'GITLAB',
};

/** A clock that ticks a few milliseconds a line, from a start drawn from the case id. */
function clock(seed: string): () => Date {
  const h = createHash('sha256').update(seed).digest();
  let t = Date.UTC(2025, h[0] % 12, 1 + (h[1] % 28), h[2] % 24, h[3] % 60, h[4] % 60);
  let i = 0;
  return () => new Date((t += 3 + ((h[i++ % h.length] ?? 0) % 40)));
}

// Maven's colour output, as a terminal-aware runner records it.
const colourTags = (line: string) =>
  line
    .replace(/^\[(ERROR)\]/, `[${ESC}[1;31m$1${ESC}[m]`)
    .replace(/^\[(WARNING)\]/, `[${ESC}[1;33m$1${ESC}[m]`)
    .replace(/^\[(INFO)\]/, `[${ESC}[1;34m$1${ESC}[m]`);

const isoMicro = (d: Date) => d.toISOString().replace('Z', '0000Z');

interface Shape {
  head: string[];
  tail: (passed: boolean) => string[];
  line: (text: string, at: Date) => string;
}

const SHAPES: Record<Exclude<LogFamily, 'original'>, Shape> = {
  'github-actions-raw': {
    head: ['##[group]Run mvn -B verify', 'mvn -B verify', '##[endgroup]'],
    tail: (passed) => (passed ? [] : ['##[error]Process completed with exit code 1.']),
    line: (text, at) => `${isoMicro(at)} ${colourTags(text)}`,
  },
  'github-actions-full': {
    head: ['##[group]Run mvn -B verify', 'mvn -B verify', '##[endgroup]'],
    tail: (passed) => (passed ? [] : ['##[error]Process completed with exit code 1.']),
    line: (text, at) =>
      `build (ubuntu-latest, 17)\tBuild with Maven\t${isoMicro(at)} ${colourTags(text)}`,
  },
  jenkins: {
    head: [
      'Started by an SCM change',
      '[Pipeline] Start of Pipeline',
      '[Pipeline] node',
      'Running on build-agent-2 in /var/lib/jenkins/workspace/build-main',
      '[Pipeline] {',
      '[Pipeline] stage',
      '[Pipeline] { (Build)',
      '[Pipeline] sh',
      '+ mvn -B verify',
    ],
    tail: (passed) => [
      '[Pipeline] }',
      '[Pipeline] // stage',
      '[Pipeline] }',
      '[Pipeline] // node',
      '[Pipeline] End of Pipeline',
      ...(passed
        ? ['Finished: SUCCESS']
        : ['ERROR: script returned exit code 1', 'Finished: FAILURE']),
    ],
    line: (text, at) => `[${at.toISOString()}] ${text}`,
  },
  gitlab: {
    head: [
      'Running with gitlab-runner 16.11.0 (91a27b2a)',
      '  on build-runner-1 t3_xYz, system ID: s_0e5f1',
      'section_start:1716000000:prepare_executor',
      `${ESC}[0K${ESC}[0K${ESC}[36;1mPreparing the "docker" executor${ESC}[0;m`,
      'section_end:1716000004:prepare_executor',
      'section_start:1716000010:step_script',
      `${ESC}[0K${ESC}[0K${ESC}[36;1mExecuting "step_script" stage of the job script${ESC}[0;m`,
      `${ESC}[32;1m$ mvn -B verify${ESC}[0;m`,
    ],
    tail: (passed) => [
      'section_end:1716000300:step_script',
      `${ESC}[0K${passed ? `${ESC}[32;1mJob succeeded${ESC}[0;m` : `${ESC}[31;1mERROR: Job failed: exit code 1${ESC}[0;m`}`,
    ],
    line: (text, at) => `${isoMicro(at)} 00O ${colourTags(text)}`,
  },
};

function wrap(
  build: readonly string[],
  family: Exclude<LogFamily, 'original'>,
  passed: boolean,
  seed: string,
) {
  const shape = SHAPES[family];
  const now = clock(seed);
  const lines = [...shape.head, ...build, ...shape.tail(passed)].map((text) =>
    shape.line(text, now()),
  );
  return { lines, shift: shape.head.length };
}

const shiftRanges = (ranges: readonly LineRange[], by: number) =>
  ranges.map((r) => ({ start: r.start + by, end: r.end + by }));

/**
 * `triageCase` as `family` prints it: the build's own output (its existing CI columns removed
 * first), wrapped in that system's columns, head and tail; labels shifted by the head. The id
 * becomes `<id>@<family>`. `original` returns the case unchanged.
 */
export function reformatCase(triageCase: TriageCase, family: LogFamily): TriageCase {
  if (family === 'original') return triageCase;
  const fail = wrap(normaliseLog(triageCase.failLines).lines, family, false, `${triageCase.id}:f`);
  const pass = wrap(normaliseLog(triageCase.passLines).lines, family, true, `${triageCase.id}:p`);
  return {
    id: `${triageCase.id}@${family}`,
    format: FORMAT[family] ?? triageCase.format,
    failLines: fail.lines,
    passLines: pass.lines,
    errorRanges: shiftRanges(triageCase.errorRanges, fail.shift),
    contextRanges: shiftRanges(triageCase.contextRanges, fail.shift),
  };
}

/** The family of a case id made by `reformatCase` (`original` for any other id). */
export function familyOf(caseId: string): LogFamily {
  const suffix = caseId.slice(caseId.lastIndexOf('@') + 1);
  return (LOG_FAMILIES as readonly string[]).includes(suffix) && caseId.includes('@')
    ? (suffix as LogFamily)
    : 'original';
}

/** Writes nothing: the files of a case folder (`fail.log`, `pass.log`, `groundtruth`) as text. */
export function caseFiles(
  triageCase: TriageCase,
): Record<'fail.log' | 'pass.log' | 'groundtruth', string> {
  const label = (k: string, r: LineRange) =>
    `${k} ${r.start === r.end ? r.start : `${r.start}-${r.end}`}`;
  return {
    'fail.log': `${triageCase.failLines.join('\n')}\n`,
    'pass.log': `${triageCase.passLines.join('\n')}\n`,
    groundtruth: [
      triageCase.format,
      ...triageCase.errorRanges.map((r) => label('E', r)),
      ...triageCase.contextRanges.map((r) => label('C', r)),
      '',
    ].join('\n'),
  };
}
