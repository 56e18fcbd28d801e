import {
  callTriageTool,
  diffSummary,
  readLines,
  search,
  submitAnswer,
} from './triage-tool.handlers';
import { MAX_LINE_CHARS, MAX_PAGE_LINES, TRIAGE_TOOLS } from './triage-tool.schemas';

const failLines = Array.from({ length: 450 }, (_, i) =>
  i % 100 === 99 ? `[ERROR] e${i + 1}` : `line ${i + 1}`,
);
failLines[4] = 'x'.repeat(MAX_LINE_CHARS + 50);
failLines[5] = '\u001b[1;31mcoloured\u001b[m';
const passLines = failLines
  .filter((l) => !l.startsWith('[ERROR]'))
  .map((l) => `2024-01-01T00:00:00.1Z ${l}`);
const ctx = { failLines, passLines };

describe('read_lines', () => {
  it('pages through a log with line numbers, without colours, cutting long lines', () => {
    const page = readLines(ctx, { from: 5, count: 2 });
    expect(page).toMatchObject({ log: 'fail', totalLines: 450, from: 5, to: 6 });
    expect(page.lines[0].text).toMatch(/^x{400}… \[50 more characters\]$/);
    expect(page.lines[1]).toEqual({ n: 6, text: 'coloured' });
    expect(readLines(ctx, { log: 'pass', from: 440, count: 10 })).toMatchObject({ to: 446 });
  });

  it('stops at the end of the log and defaults to 100 lines', () => {
    expect(readLines(ctx, { from: 441 }).lines).toHaveLength(10);
    expect(readLines(ctx, { from: 1 }).lines).toHaveLength(100);
  });

  it.each([
    [{ from: 451 }, /read_lines: from 451 is past the end of fail.log \(450 lines\)/],
    [{ from: 0 }, /read_lines: from must be at least 1/],
    [{ from: 1, count: MAX_PAGE_LINES + 1 }, /read_lines: count/],
    [{ from: 1, log: 'other' }, /read_lines: log/],
    [{}, /read_lines: from/],
    [{ from: 1, extra: true }, /read_lines: input/],
  ])('rejects %j', (input, message) => {
    expect(() => readLines(ctx, input)).toThrow(message);
  });
});

describe('search', () => {
  it('returns matching line numbers and text, bounded, with where to continue', () => {
    const first = search(ctx, { pattern: '^\\[ERROR\\]', maxResults: 3 });
    expect(first.matches.map((m) => m.n)).toEqual([100, 200, 300]);
    expect(first).toMatchObject({ truncated: true, nextFrom: 400 });
    const rest = search(ctx, { pattern: '^\\[error\\]', ignoreCase: true, from: first.nextFrom });
    expect(rest).toEqual({
      log: 'fail',
      matches: [{ n: 400, text: '[ERROR] e400' }],
      truncated: false,
    });
  });

  it('rejects an invalid pattern clearly', () => {
    expect(() => search(ctx, { pattern: '(' })).toThrow(
      /search: pattern is not a valid regular expression/,
    );
    expect(() => search(ctx, { pattern: '' })).toThrow(/search: pattern/);
  });

  it('refuses a pattern that could backtrack without bound, and ends one V8 can bound', () => {
    expect(() => search(ctx, { pattern: '(?=\\w)(\\w+\\s?)+$' })).toThrow(
      /^search: pattern repeats a group that itself repeats or alternates/,
    );
    const long = { fail: [`${'a'.repeat(5_000)}!`], pass: [] };
    const input = { failLines: long.fail, passLines: long.pass };
    expect(search(input, { pattern: '^(a+)+$' }).matches).toEqual([]);
    expect(search(input, { pattern: '^(A+)+$', ignoreCase: true }).matches).toEqual([]);
  }, 60_000);
});

describe('diff_summary', () => {
  it('lists fail.log lines that pass.log lacks, ignoring timestamps, bounded', () => {
    const all = diffSummary(ctx, {});
    expect(all).toMatchObject({ totalLines: 4, truncated: false });
    expect(all.lines.map((l) => l.n)).toEqual([100, 200, 300, 400]);
    expect(diffSummary(ctx, { maxLines: 1, from: 150 })).toMatchObject({
      lines: [{ n: 200 }],
      truncated: true,
      nextFrom: 300,
    });
    expect(() => diffSummary(ctx, { maxLines: 1000 })).toThrow(/diff_summary: maxLines/);
  });
});

describe('submit_answer', () => {
  it('accepts ranges inside fail.log, merged', () => {
    expect(
      submitAnswer(ctx, {
        ranges: [
          { start: 3, end: 5 },
          { start: 1, end: 3 },
        ],
      }),
    ).toEqual({
      accepted: true,
      ranges: [{ start: 1, end: 5 }],
      lineCount: 5,
    });
  });

  it('rejects ranges past the end or reversed', () => {
    expect(() => submitAnswer(ctx, { ranges: [{ start: 1, end: 451 }] })).toThrow(
      /past the end of the log \(450 lines\)/,
    );
    expect(() => submitAnswer(ctx, { ranges: [{ start: 9, end: 3 }] })).toThrow(
      /submit_answer: ranges.0.end start must not be after end/,
    );
  });
});

describe('callTriageTool and the tool definitions', () => {
  it('returns bad input and unknown tools as errors for the model, not exceptions', () => {
    expect(callTriageTool(ctx, 'read_lines', { from: 0 })).toEqual({
      ok: false,
      error: expect.stringMatching(/from must be at least 1/),
    });
    expect(callTriageTool(ctx, 'rm', {})).toEqual({
      ok: false,
      error: expect.stringMatching(/unknown tool "rm"; the tools are read_lines, search/),
    });
    expect(callTriageTool(ctx, 'search', { pattern: 'e450' })).toMatchObject({ ok: true });
  });

  it('describes every tool with a JSON schema matching what the handler validates', () => {
    expect(TRIAGE_TOOLS.map((t) => t.name)).toEqual([
      'read_lines',
      'search',
      'diff_summary',
      'submit_answer',
    ]);
    const read = TRIAGE_TOOLS[0].input_schema as {
      properties: Record<string, unknown>;
      required: string[];
    };
    expect(Object.keys(read.properties)).toEqual(['log', 'from', 'count']);
    expect(read.required).toEqual(['from']);
    expect(read).not.toHaveProperty('$schema');
    expect(JSON.stringify(TRIAGE_TOOLS[3].input_schema)).toContain('"start"');
  });
});
