import type { PlaybookRule } from '@reverie/playbooks-domain';
import {
  OfflineSupportTeam,
  splitOf,
  supportFacts,
  supportTasks,
  type SupportRole,
  type SupportTask,
  type TeamRules,
} from '@reverie/support-desk';
import { mineEntries, type MinedEntry } from './contrast';
import { localiseSession, type ReviewedSession } from './localise';
import { checkOnHeldOut } from './offline-check';

/** One day of the support team: every task once, graded by the environment's replay. */
function day(tasks: readonly SupportTask[], rules: TeamRules, n: number): ReviewedSession[] {
  return tasks.map((t) => {
    const run = new OfflineSupportTeam(t, rules).run();
    const facts = supportFacts(run.events).values;
    return {
      id: `d${n}-${t.id}`,
      succeeded:
        facts['support.resolved'] === true && facts['support.notified_before_close'] === true,
      kind: t.family,
      events: run.events,
      failedCriteria: [],
      feedback: [],
    };
  });
}

const rate = (s: readonly ReviewedSession[]) => s.filter((x) => x.succeeded).length / s.length;

/** A dream without the pipeline: mine on train sessions, check on validation ones, keep what passes. */
function dream(sessions: ReviewedSession[], rules: TeamRules, n: number) {
  const task = (s: ReviewedSession) => s.id.slice(s.id.indexOf('-') + 1);
  const train = sessions.filter((s) => splitOf(task(s)) === 'train');
  const validation = sessions.filter((s) => splitOf(task(s)) === 'validation');
  const mined = mineEntries(train);
  const kept: MinedEntry[] = [];
  const next: TeamRules = { ...rules };
  for (const m of mined) {
    if (!checkOnHeldOut(m.rule, validation).accepted || !m.role) continue;
    const role = m.role as SupportRole;
    const rule: PlaybookRule = { entryId: `d${n}-${kept.length}`, title: m.title, ...m.rule };
    const have = next[role] ?? [];
    if (have.some((r) => JSON.stringify(r.when) === JSON.stringify(m.rule.when))) continue;
    next[role] = [...have, rule];
    kept.push(m);
  }
  return { next, kept, mined };
}

describe('the general reflector on the support desk (no simulator, no pipeline)', () => {
  const tasks = supportTasks(40).filter((t) => splitOf(t.id) !== 'test');
  const test = supportTasks(40, 'test');

  it('at least doubles the test-split success rate over three dreams, learning from train only', () => {
    let rules: TeamRules = {};
    const curve = [rate(day(test, rules, 0))];
    const learned: string[] = [];
    for (let n = 1; n <= 3; n++) {
      const { next, kept } = dream(day(tasks, rules, n), rules, n);
      rules = next;
      learned.push(...kept.map((k) => `${k.role}: ${k.title}`));
      curve.push(rate(day(test, rules, 10 + n)));
    }
    expect(curve[3]).toBeGreaterThanOrEqual(2 * curve[0]);
    expect(learned.length).toBeGreaterThanOrEqual(3);
  });

  it('draws readable entries with rules and evidence from the first day', () => {
    const { mined } = dream(day(tasks, {}, 1), {}, 1);
    const kinds = new Set(mined.map((m) => m.kind));
    expect(kinds).toEqual(new Set(['retry_after', 'reshape_arg', 'call_first', 'step_order']));
    const reshape = mined.find((m) => m.kind === 'reshape_arg')!;
    expect(reshape.guidance).toMatch(/effective_date in the form dddd-dd-dd/);
    expect(reshape.role).toBe('account');
    expect(reshape.evidence.failed).toBeGreaterThan(reshape.evidence.succeeded);
  });

  it('localises a failed session to the step and role of its first unrecovered error', () => {
    const sessions = day(tasks, {}, 1);
    const failed = sessions.find((s) => !s.succeeded && s.kind === 'plan')!;
    const ok = sessions.filter((s) => s.succeeded && s.kind === 'plan');
    const l = localiseSession(failed, ok);
    expect(l.method).toBe('error');
    expect(l.actor).toBe('account');
    expect(l.step).not.toBeNull();
    expect(l.confidence).toBeGreaterThan(0.7);
  });

  it('says why when a session cannot be localised (no events)', () => {
    const l = localiseSession(
      { id: 's', succeeded: false, kind: 'x', events: [], failedCriteria: [], feedback: [] },
      [],
    );
    expect(l.step).toBeNull();
    expect(l.detail).toMatch(/no events.*no successful session of kind "x"/);
  });
});
