import type { SessionEventBody } from '@reverie/contracts';
import {
  DEFAULT_ENVIRONMENT,
  ENVIRONMENT_NAMES,
  ENVIRONMENTS,
  findEnvironment,
  findManagedEnvironment,
  MANAGED_ENVIRONMENTS,
} from './environments.registry';
import { EnvironmentRegistrationError, pluginsByEnvironment } from './environment-plugins';

describe('the environment registry', () => {
  it('lists each environment once, the managed ones with a task schema and roles', () => {
    expect(ENVIRONMENT_NAMES).toEqual(['lunar-lander', 'ci-log-triage', 'support-desk', 'external']);
    expect(new Set(ENVIRONMENT_NAMES).size).toBe(ENVIRONMENTS.length);
    expect(MANAGED_ENVIRONMENTS.map((e) => e.name)).toEqual(['lunar-lander', 'ci-log-triage']);
    for (const e of MANAGED_ENVIRONMENTS) expect(e.managed.roles.length).toBeGreaterThan(0);
    expect(findManagedEnvironment('external')).toBeUndefined();
    expect(findEnvironment('chess')).toBeUndefined();
    expect(DEFAULT_ENVIRONMENT.name).toBe('external');
  });

  it("reads a triage task's labelled case and titles each environment's tasks", () => {
    const triage = findManagedEnvironment('ci-log-triage');
    expect(triage?.grading.labelsKey?.({ caseId: 'assertj_1944' })).toBe('assertj_1944');
    expect(triage?.managed.title({ caseId: 'assertj_1944' })).toBe('assertj_1944');
    expect(
      findManagedEnvironment('lunar-lander')?.managed.title({ family: 'easy', index: 3 }),
    ).toBe('lunar landing easy #3');
  });

  it('gives an external session its last assistant message as the answer', () => {
    const events = [
      { type: 'message', role: 'assistant', content: '{"ok":true}', step: 2 },
      { type: 'message', role: 'user', content: 'thanks' },
    ] as unknown as SessionEventBody[];
    expect(DEFAULT_ENVIRONMENT.grading.facts(events).finalAnswer).toEqual({
      text: '{"ok":true}',
      json: { ok: true },
      step: 2,
    });
  });
});

describe('pluginsByEnvironment', () => {
  const managed = (e: { managed: unknown }) => e.managed !== null;

  it('indexes plug-ins by environment name', () => {
    const map = pluginsByEnvironment(
      [{ environment: 'lunar-lander' }, { environment: 'ci-log-triage' }],
      'runner',
      managed,
    );
    expect([...map.keys()]).toEqual(['lunar-lander', 'ci-log-triage']);
  });

  it('refuses a plug-in for an unregistered environment, naming the registered ones', () => {
    expect(() => pluginsByEnvironment([{ environment: 'chess' }], 'dreamer')).toThrow(
      new EnvironmentRegistrationError(
        'a dreamer is registered for environment "chess", which is not in @reverie/environments (known: lunar-lander, ci-log-triage, support-desk, external); add its definition to ENVIRONMENTS in libs/environments/registry',
      ),
    );
  });

  it('refuses two plug-ins for one environment, and a managed environment without one', () => {
    expect(() =>
      pluginsByEnvironment([{ environment: 'external' }, { environment: 'external' }], 'dreamer'),
    ).toThrow('two dreamers are registered for environment "external"');
    expect(() =>
      pluginsByEnvironment([{ environment: 'lunar-lander' }], 'runner', managed),
    ).toThrow('no runner is registered for ci-log-triage');
  });
});
