import { describeRule } from './describe-rule';
import { renderMarkdown } from './render-markdown';
import { matchingRules, renderRules } from './render-rules';
import { anEntry, aRule, aVersion, deepFreeze } from './testing';

const version = deepFreeze(
  aVersion({
    version: 7,
    role: 'navigator',
    entries: [
      anEntry({
        id: 'pb-brake',
        title: 'Brake low',
        guidance: 'Brake hard below 50 m.',
        rationale: 'Late braking crashed.',
        rule: aRule(),
      }),
      anEntry({ id: 'pb-old', title: 'Old lesson', status: 'retired' }),
      anEntry({ id: 'pb-idea', title: 'Untested idea', status: 'proposed', rule: aRule() }),
      anEntry({
        id: 'pb-fuel',
        title: 'Save fuel',
        guidance: 'Coast while above 500 m.',
        rationale: 'Fuel ran out.',
        helpful: 12,
        harmful: 1,
        rule: { when: { feature: 'altitude', op: 'gt', value: 500 }, then: { action: 'coast' } },
      }),
    ],
  }),
);

describe('renderMarkdown', () => {
  const md = renderMarkdown(version);

  it('shows active entries only, in playbook order, each headed by its citable id', () => {
    expect(md).toContain('## [pb-brake] Brake low');
    expect(md).toContain('## [pb-fuel] Save fuel');
    expect(md).not.toContain('pb-old');
    expect(md).not.toContain('pb-idea');
    expect(md.indexOf('[pb-brake]')).toBeLessThan(md.indexOf('[pb-fuel]'));
  });

  it('includes guidance, the rule in words and the rationale; no counters', () => {
    expect(md).toContain('Brake hard below 50 m.');
    expect(md).toContain(
      'Rule: when altitude < 50 and vertical_speed < -3, then set_throttle(level=0.8).',
    );
    expect(md).toContain('Rule: when altitude > 500, then coast.');
    expect(md).toContain('Why: Late braking crashed.');
    expect(md).not.toMatch(/12|helpful/);
  });

  it('names the agent, role and version and asks for citations', () => {
    expect(md).toMatch(/^# Playbook\n/);
    expect(md).toContain('agent "agt_lander", for the navigator role (playbook version 7)');
    expect(md).toContain('cite its id in brackets, for example [pb-brake]');
    expect(renderMarkdown(version, { role: 'detector' })).toContain('for the detector role');
  });

  it('is stable: the same version renders the same text', () => {
    expect(renderMarkdown(version)).toBe(md);
  });

  it('says so when there is nothing to follow', () => {
    expect(renderMarkdown(aVersion({ entries: [anEntry({ status: 'retired' })] }))).toContain(
      'There are no lessons yet.',
    );
  });
});

describe('renderRules and matchingRules', () => {
  it('returns the rules of active entries as JSON, in order, with their entry ids', () => {
    const rules = renderRules(version);
    expect(rules).toEqual([
      { entryId: 'pb-brake', title: 'Brake low', ...aRule() },
      {
        entryId: 'pb-fuel',
        title: 'Save fuel',
        when: { feature: 'altitude', op: 'gt', value: 500 },
        then: { action: 'coast' },
      },
    ]);
    expect(JSON.parse(JSON.stringify(rules))).toEqual(rules);
    expect(rules[0].when).not.toBe(version.entries[0].rule?.when);
  });

  it('picks the rules that hold for the features', () => {
    const rules = renderRules(version);
    expect(
      matchingRules(rules, { altitude: 30, vertical_speed: -5 }).map((r) => r.entryId),
    ).toEqual(['pb-brake']);
    expect(matchingRules(rules, { altitude: 900 }).map((r) => r.entryId)).toEqual(['pb-fuel']);
    expect(matchingRules(rules, {})).toEqual([]);
  });

  it('fails loudly on a malformed rule, naming it', () => {
    const rules = [
      { when: { feature: 'a', op: 'exists' } },
      { when: { feature: 'a', op: 'matches', value: '[' } },
    ];
    expect(() => matchingRules(rules as never, { a: 1 })).toThrow(
      /rules\[1\]\.when\.value is not a valid regular expression/,
    );
  });

  it('describes a rule in one line', () => {
    expect(
      describeRule({
        when: { feature: 'x', op: 'eq', value: 'y' },
        then: { action: 'flag', params: { from: 3, hold: false } },
      }),
    ).toBe('when x = "y", then flag(from=3, hold=false)');
  });
});
