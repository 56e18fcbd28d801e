import { OfflineSupportTeam, supportFacts, supportTasks } from '@reverie/support-desk';
import type { CollectedSession } from './environment-dreamer';
import { ExternalDreamer, splitKey } from './external.dreamer';

/** A day of the offline support team as the collect stage would load it (no outcome: end status). */
function collected(): CollectedSession[] {
  return supportTasks(40).map((t, i) => {
    const run = new OfflineSupportTeam(t, {}).run();
    const resolved = supportFacts(run.events).values['support.resolved'] === true;
    return {
      session: {
        _id: `ses_${i}`,
        agentId: 'agt_1',
        status: resolved ? 'completed' : 'failed',
        source: 'external',
        lastSeq: run.events.length,
      },
      outcome: null,
      events: run.events,
    } as unknown as CollectedSession;
  });
}

describe('the external dreamer (any agent, no simulator)', () => {
  it('finds the team roles, learns per role on train sessions, and gates on held-out ones', async () => {
    const dreamer = new ExternalDreamer();
    const sessions = collected();
    const prepared = await dreamer.prepare(sessions);
    expect(dreamer.roles).toEqual(['account', 'billing', 'coordinator']);
    const split = dreamer.describeSplit(prepared);
    expect(split.train + split.validation + split.test).toBe(sessions.length);
    expect([...split.trainSessions].sort()).toEqual(prepared.bySplit.train.map((s) => s.id).sort());
    expect(split.trainSessions.size).toBe(split.train);

    const failed = sessions.filter((s) => !dreamer.verdict(s).succeeded);
    const l = await dreamer.localise(
      prepared,
      failed,
      [],
      new Map(),
      { simulations: 0 },
      async () => undefined,
    );
    expect(l.localisations.length).toBeGreaterThan(0);
    expect(l.localisations.every((x) => x.step !== null && x.role !== null)).toBe(true);

    const r = await dreamer.reflect(prepared, new Map());
    const roles = new Set(r.drafts.map((d) => d.role));
    expect(roles).toEqual(new Set(['account', 'billing']));
    expect(r.drafts.every((d) => d.draft.rule && /held-out: matches/.test(d.draft.rationale))).toBe(
      true,
    );
    expect(dreamer.offlineGate(prepared)).toMatchObject({ split: 'validation', promote: true });
  });

  it('keeps every attempt at one ticket on one side of the split, whatever the session ids', async () => {
    // Two shifts of the same tickets, as the demo works them while a canary trial runs.
    const day = collected();
    const again = collected().map((s) => ({
      ...s,
      session: { ...s.session, _id: `${s.session._id}_b` },
    }));
    const prepared = await new ExternalDreamer().prepare([...day, ...again]);
    const keyOf = new Map([...day, ...again].map((s) => [s.session._id, splitKey(s)]));
    expect(new Set(keyOf.values()).size).toBe(day.length);
    expect([...keyOf.values()].every((k) => k.startsWith('support-desk:'))).toBe(true);
    const sidesOf = new Map<string, Set<string>>();
    for (const side of ['train', 'validation', 'test'] as const)
      for (const r of prepared.bySplit[side]) {
        const key = keyOf.get(r.id)!;
        sidesOf.set(key, new Set([...(sidesOf.get(key) ?? []), side]));
      }
    expect(sidesOf.size).toBe(day.length);
    expect([...sidesOf.values()].filter((sides) => sides.size > 1)).toEqual([]);
    expect(prepared.bySplit.train.length).toBeGreaterThan(0);
    expect(prepared.bySplit.test.length).toBeGreaterThan(0);
  });

  it('splits a session whose events name no task by its own id', () => {
    const events = [{ type: 'message', role: 'assistant', content: 'done', step: 1 }];
    expect(splitKey({ session: { _id: 'ses_x' }, events } as unknown as CollectedSession)).toBe(
      'ses_x',
    );
  });

  it('skips sessions without events, learns nothing from them, and says which and why', async () => {
    const dreamer = new ExternalDreamer();
    const empty = collected().map((s) => ({ ...s, events: [] }));
    const prepared = await dreamer.prepare(empty);
    const split = dreamer.describeSplit(prepared);
    expect(split.train + split.validation + split.test).toBe(0);
    expect(split.note).toContain(
      `${empty.length} session(s) skipped: no events stored (ses_0, ses_1, ses_2`,
    );
    expect(split.note).toContain(`… ${empty.length - 10} more)`);
    const r = await dreamer.reflect(prepared, new Map());
    expect(r.drafts).toEqual([]);
    expect(dreamer.offlineGate(prepared)).toMatchObject({ promote: false });
    const l = await dreamer.localise(
      prepared,
      empty,
      [],
      new Map(),
      { simulations: 0 },
      async () => undefined,
    );
    expect(l.localisations).toEqual([]);
    expect(l.work.summary).toBe('0 of 0 failed train session(s) localised without a simulator');
  });

  it('reviews the sessions that have events beside the skipped ones', async () => {
    const dreamer = new ExternalDreamer();
    const sessions = collected();
    const withEmpty = [
      ...sessions,
      { ...sessions[0], session: { ...sessions[0].session, _id: 'ses_empty' }, events: [] },
    ];
    const split = dreamer.describeSplit(await dreamer.prepare(withEmpty));
    expect(split.train + split.validation + split.test).toBe(sessions.length);
    expect(split.note).toMatch(/; 1 session\(s\) skipped: no events stored \(ses_empty\)$/);
  });
});
