import type { SessionEventBody } from '@reverie/contracts';
import { OfflineSupportTeam } from './offline-team';
import { SUPPORT_DESK_ENVIRONMENT } from './support-desk.environment';
import { supportFacts } from './support.facts';
import { supportTask } from './tasks';

describe('support-desk grading', () => {
  it('replays the calls against the back office instead of trusting the reported results', () => {
    const task = supportTask('refund', 1);
    const honest = new OfflineSupportTeam(task, {}).run().events;
    // A client that claims every call worked: the replay still decides.
    const lying = honest.map((e) =>
      e.type === 'tool_result' ? { ...e, isError: false, output: { ok: true } } : e,
    ) as SessionEventBody[];
    expect(supportFacts(lying).values).toEqual(supportFacts(honest).values);
  });

  it('says why the facts are missing when the session names no ticket', () => {
    const facts = supportFacts([
      { clientEventId: 'a', type: 'message', role: 'user', content: 'hi' },
    ]);
    expect(facts.values).toEqual({});
    expect(facts.absent['support.resolved']).toMatch(/names no known support-desk ticket/);
  });

  it('recognises a session by its ticket observation', () => {
    const first = new OfflineSupportTeam(supportTask('plan', 2), {}).run().events[0];
    expect(SUPPORT_DESK_ENVIRONMENT.grading.recognises!(first)).toBe(true);
  });
});
