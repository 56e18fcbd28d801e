import { scoreSplit } from './objective';
import { formatDuration, renderDreamReport } from './render-report';
import { aDreamReport, aLocalisation } from './testing/dream.builders';

const section = (md: string, heading: string) => {
  const start = md.indexOf(`## ${heading}\n`);
  expect(start).toBeGreaterThanOrEqual(0);
  const end = md.indexOf('\n## ', start + 1);
  return md.slice(start, end === -1 ? undefined : end);
};

describe('renderDreamReport', () => {
  const md = renderDreamReport(aDreamReport());

  it('opens with the dream, the agent and a one-line summary', () => {
    expect(md.startsWith('# Dream drm_42: completed\n')).toBe(true);
    expect(md).toContain('Agent `agt_lander` · environment lunar-lander');
    expect(md).toContain(
      '120 sessions reviewed · 9 failed · 1 change · promoted · 24,400 tokens (in 12,000, out 3,400) · 610 simulations',
    );
  });

  it('has every section, in order', () => {
    const headings = md.split('\n').filter((l) => l.startsWith('## '));
    expect(headings).toEqual([
      '## Patterns',
      '## Where each failure went wrong',
      '## Changes',
      '## Objective',
      '## Validation',
      '## Test split',
      '## Publication',
      '## Stages',
      '## Usage',
    ]);
  });

  it('tabulates patterns and localisations', () => {
    expect(section(md, 'Patterns')).toContain(
      '| hazard: 4 sessions, the navigator went wrong around steps 50–59 | 4 | navigator | 51, 52, 55, 58 |',
    );
    expect(section(md, 'Where each failure went wrong')).toContain(
      '| ses_1 | boulder-field-1 | hazard | 52 | navigator | counterfactual | 80% |',
    );
  });

  it('gives each change its reason, evidence and rule as JSON', () => {
    const changes = section(md, 'Changes');
    expect(changes).toContain('### 1. add: Divert early over boulders');
    expect(changes).toContain('- Role: navigator');
    expect(changes).toContain('- Entry: `pb-0123456789ab`');
    expect(changes).toContain('- Reason: turned 4 of 4 hazard failures safe on training scenarios');
    expect(changes).toContain('  - `ses_1` step 52: failed, safe with the rule');
    expect(changes).toContain('```json\n{\n  "when": {\n    "feature": "site_boulder_height"');
  });

  it('says what the dream optimised and reports the test split per family, before and after', () => {
    const grade = (family: string, satisfied: boolean, d: number) => ({
      task: `${family}-${d}`,
      family,
      satisfied,
      score: satisfied ? 1 : 0.5,
      criteria: [],
      values: { 'touchdown.distance_to_site': d },
    });
    const before = scoreSplit('test', [grade('wide', false, 900), grade('wide', true, 20)]);
    const after = scoreSplit('test', [grade('wide', true, 30), grade('wide', true, 20)]);
    const report = renderDreamReport(
      aDreamReport({
        objective: {
          source: 'agent',
          version: 2,
          description: 'safe and near the site',
          criteria: [{ id: 'safe', required: true }],
          notGradable: ['explains'],
        },
        test: { split: 'test', before, after },
      }),
    );
    const objective = section(report, 'Objective');
    expect(objective).toContain("The agent's outcome definition v2: safe and near the site");
    expect(objective).toContain('- Not gradable in a sandbox: explains');
    const test = section(report, 'Test split');
    // One family is the whole split: one row each, named by the family.
    expect(test).toContain(
      '| before | wide (all) | 1/2 (50%; 95% CI 9–91%) | 0.75 | touchdown.distance_to_site 460 | touchdown.distance_to_site 20 |',
    );
    expect(test).toContain(
      '| after | wide (all) | 2/2 (100%; 95% CI 34–100%) | 1 | touchdown.distance_to_site 25 | touchdown.distance_to_site 25 |',
    );
    expect(test.split('\n').filter((l) => l.startsWith('| after'))).toHaveLength(1);
    // Two families: the whole split, then each.
    const two = scoreSplit('test', [grade('wide', true, 30), grade('steep', false, 20)]);
    const both = section(
      renderDreamReport(aDreamReport({ test: { split: 'test', before: two, after: null } })),
      'Test split',
    );
    expect(
      both
        .split('\n')
        .filter((l) => l.startsWith('| before'))
        .map((l) => l.split(' | ')[1]),
    ).toEqual(['all', 'steep', 'wide']);
    expect(section(md, 'Test split')).toContain('No test split.');
  });

  it('reports validation, publication, stages and usage', () => {
    const validation = section(md, 'Validation');
    expect(validation).toContain('- Split: validation (40 tasks; chooses and gates');
    expect(validation).toContain('- safe landings: 31 → 36');
    expect(validation).toContain('- fuel over limit: 1.12');
    expect(validation).toContain('- mean touchdown speed: –');
    expect(validation).toContain('- Regressions (0): none');
    expect(validation).toContain('- Improvements (2): scn_7, scn_9');
    expect(validation).toContain('- Promote: yes: 5 more safe landings and no regression');
    expect(section(md, 'Publication')).toContain('| navigator | 4 | active |');
    const stages = section(md, 'Stages');
    expect(stages).toContain('| collect | 2.5 s | 120 sessions, 9 failed | 0 | 0 |');
    expect(stages).toContain('| reflect | 3 min 10 s | 3 drafts | 250 | 24,400 |');
    const usage = section(md, 'Usage');
    expect(usage).toContain('- Input tokens: 12,000');
    expect(usage).toContain('- Output tokens: 3,400');
    expect(usage).toContain('- Cache read input tokens: 8,000');
    expect(usage).toContain('- Cache creation input tokens: 1,000');
  });

  it('says a validation with no task judged nothing, and a counters-only publication for what it is', () => {
    const base = aDreamReport().validation;
    if (!base) throw new Error('the builder validates');
    const report = renderDreamReport(
      aDreamReport({
        validation: {
          ...base,
          heldOut: 0,
          before: 0,
          after: 0,
          promote: false,
          reason: 'no validation tasks to gate on',
        },
        changes: [
          {
            kind: 'record_outcome',
            role: 'navigator',
            entryId: 'pb-0123456789ab',
            title: 'Divert early over boulders',
            reason: 'used in 3 sessions: 2 went well, 1 went badly',
            evidence: [],
          },
        ],
      }),
    );
    const validation = section(report, 'Validation');
    expect(validation).toContain('- Split: validation (no task: nothing was judged)');
    expect(validation).not.toMatch(/safe landings: 0/);
    expect(section(report, 'Publication')).toContain(
      'Counters kept (no behaviour change was promoted)',
    );
    // The header counts what was kept, not the refused candidate curate drafted.
    expect(report).toMatch(/9 failed · 1 counter update kept · not promoted/);
    // Publish kept none (a canary trial was running): said so in the header too.
    const counters = {
      kind: 'record_outcome' as const,
      role: null,
      entryId: 'pb-0123456789ab',
      title: 'Divert early over boulders',
      reason: 'used in 3 sessions: 2 went well, 1 went badly',
      evidence: [],
    };
    expect(renderDreamReport(aDreamReport({ changes: [counters], publication: null }))).toMatch(
      /9 failed · 1 counter update not kept · /,
    );
    expect(section(md, 'Publication')).toContain('Applied (new active versions).');
  });

  it('limits the localisation table, escapes pipes and shows notes', () => {
    const many = Array.from({ length: 53 }, (_, i) =>
      aLocalisation({ sessionId: `ses_${i}`, detail: 'did a | b where successes did c' }),
    );
    const report = renderDreamReport(
      aDreamReport({
        status: 'failed',
        localisations: many,
        validation: null,
        publication: null,
        changes: [],
        notes: ['nothing promoted: no held-out session improved'],
      }),
    );
    const table = section(report, 'Where each failure went wrong');
    expect(table).toContain('| ses_49 |');
    expect(table).not.toContain('| ses_50 |');
    expect(table).toContain('…and 3 more');
    expect(table).toContain('did a \\| b where successes did c');
    expect(report).toContain('not validated');
    expect(section(report, 'Changes')).toContain('No change.');
    expect(section(report, 'Validation')).toContain('Not validated.');
    expect(section(report, 'Publication')).toContain('Nothing published.');
    expect(section(report, 'Notes')).toContain('- nothing promoted: no held-out session improved');
  });

  it('fences a rule whose strings hold backticks with a longer fence', () => {
    const report = renderDreamReport(
      aDreamReport({
        changes: [
          {
            kind: 'update',
            role: null,
            entryId: 'pb-x',
            title: 'Code fences',
            reason: 'r',
            evidence: [],
            rule: {
              when: { feature: 'log.line', op: 'matches', value: '^```' },
              then: { action: 'flag' },
            },
          },
        ],
      }),
    );
    expect(report).toContain('````json\n');
    expect(report).toContain('- Evidence: none');
  });
});

describe('formatDuration', () => {
  it('reads as people say it', () => {
    expect(formatDuration('2025-01-01T00:00:00Z', '2025-01-01T00:00:00.250Z')).toBe('250 ms');
    expect(formatDuration('2025-01-01T00:00:00Z', '2025-01-01T01:02:03Z')).toBe('1 h 2 min');
    expect(formatDuration('2025-01-01T00:00:01Z', '2025-01-01T00:00:00Z')).toBe('–');
  });
});
