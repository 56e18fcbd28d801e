import { sessionEventBodySchema } from '@reverie/contracts';
import { defineTeam, unknownRoles } from './team-spec';
import { ENVIRONMENT_ACTOR, TeamLog } from './team-log';

const team = defineTeam({
  name: 'lunar',
  coordinator: 'commander',
  roles: ['detector', 'commander', 'navigator'],
});

describe('TeamLog', () => {
  it('attributes every event to its role and step, with deterministic valid ids', () => {
    const log = new TeamLog(team);
    log.observation(41, 'detector', { altitude: 120 });
    log.message(41, 'detector', 'commander', 'hazard at the site');
    log.message(41, 'commander', 'navigator', 'retarget to x=80');
    log.action(41, 'navigator', 'set_throttle', { throttle: 0.4 });
    log.action(41, 'navigator', 'set_pitch', { pitchDeg: -3 });
    log.observation(41, ENVIRONMENT_ACTOR, { altitude: 119.2 });

    const events = log.drain();
    expect(events.map((e) => [e.clientEventId, e.actor, e.step])).toEqual([
      ['s41.detector.observation.0', 'detector', 41],
      ['s41.detector.message.0', 'detector', 41],
      ['s41.commander.message.0', 'commander', 41],
      ['s41.navigator.action.0', 'navigator', 41],
      ['s41.navigator.action.1', 'navigator', 41],
      ['s41.environment.observation.0', 'environment', 41],
    ]);
    expect(events[2]).toMatchObject({ type: 'message', role: 'agent', to: 'navigator' });
    for (const e of events) expect(sessionEventBodySchema.safeParse(e).success).toBe(true);
    expect(log.drain()).toEqual([]);
  });

  it('refuses roles the team does not have and bad steps', () => {
    const log = new TeamLog(team);
    expect(() => log.action(1, 'pilot', 'x')).toThrow('the lunar team has no role "pilot"');
    expect(() => log.message(1, 'commander', 'pilot', 'hi')).toThrow('no role "pilot"');
    expect(() => log.action(-1, 'navigator', 'x')).toThrow('non-negative integer step');
    expect(log.pending).toBe(0);
  });
});

describe('team specs', () => {
  it('names the roles a run may not set', () => {
    expect(unknownRoles(team, ['navigator'])).toBeNull();
    expect(unknownRoles(team, ['navigator', 'pilot'])).toBe(
      'the lunar team has no role "pilot"; its roles are detector, commander, navigator',
    );
  });

  it('refuses a coordinator outside the team and duplicate roles', () => {
    expect(() => defineTeam({ name: 't', coordinator: 'x', roles: ['a'] })).toThrow(
      'coordinator "x" is not one of its roles',
    );
    expect(() => defineTeam({ name: 't', coordinator: 'a', roles: ['a', 'a'] })).toThrow(
      'listed twice',
    );
    expect(() => defineTeam({ name: 't', coordinator: 'A', roles: ['A'] })).toThrow('role names');
  });
});
