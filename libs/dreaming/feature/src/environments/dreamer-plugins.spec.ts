import { ENVIRONMENT_NAMES } from '@reverie/environments';
import { dreamersByEnvironment } from './dreamer-plugins';

describe('dreamersByEnvironment', () => {
  const dreamers = dreamersByEnvironment({ datasetsDir: '/nowhere' });

  it('gives each dreaming environment its own dreamer, keyed by its registered name', () => {
    for (const [name, plugin] of dreamers) {
      expect(ENVIRONMENT_NAMES).toContain(name);
      expect(plugin.dreamer().environment).toBe(name);
    }
    expect(dreamers.size).toBeGreaterThan(0);
  });

  it('dreams over client-driven sessions with the general external dreamer', () => {
    expect(dreamers.get('external')?.dreamer().environment).toBe('external');
  });
});
