import { MANAGED_ENVIRONMENTS } from '@reverie/environments';
import { environmentRunners } from './environment-runners';

describe('environmentRunners', () => {
  it('has one runner for each environment the registry says the orchestrator runs', () => {
    const runners = environmentRunners({ datasetsDir: '/nowhere' });
    expect(runners.map((r) => r.environment).sort()).toEqual(
      MANAGED_ENVIRONMENTS.map((e) => e.name).sort(),
    );
  });
});
