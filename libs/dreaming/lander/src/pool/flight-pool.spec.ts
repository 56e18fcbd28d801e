import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { expandFamily } from '@reverie/lunar-lander';
import { searchGuidance } from '../search-guidance';
import { FlightPool } from './flight-pool';

// Worker threads load TypeScript through @swc-node/register here: slow to start on a loaded
// machine, so generous timeouts (no timing is asserted).
describe('FlightPool', () => {
  const scenarios = [
    ...expandFamily('easy').slice(0, 2),
    ...expandFamily('tight-fuel').slice(0, 2),
  ];
  const rules = {
    navigator: [
      {
        entryId: 'g',
        title: 'late ignition',
        when: { feature: 'step', op: 'gte', value: 0 } as const,
        then: { action: 'set', params: { guidanceLaw: 1, engineOffBelow: 0.05 } },
      },
    ],
  };

  it('flies the same results in worker threads as in-process, in job order', async () => {
    const jobs = scenarios.flatMap((scenario) => [
      { scenario, rules: {} },
      { scenario, rules },
    ]);
    const inline = new FlightPool(1);
    const threads = new FlightPool(2);
    try {
      const a = await inline.flyAll(jobs);
      const b = await threads.flyAll(jobs);
      expect(b).toEqual(a);
      expect(a.map((r) => r.scenarioId)).toEqual(jobs.map((j) => j.scenario.id));
      // The guidance changes the flights: the comparison is not between identical runs.
      expect(a[1]).not.toEqual(a[0]);
    } finally {
      await Promise.all([inline.close(), threads.close()]);
    }
  }, 180_000);

  it('starts its workers from any working directory (one outside the project)', async () => {
    const here = process.cwd();
    const elsewhere = mkdtempSync(join(tmpdir(), 'flight-pool-'));
    const pool = new FlightPool(2);
    try {
      process.chdir(elsewhere);
      const jobs = scenarios.slice(0, 2).map((scenario) => ({ scenario, rules: {} }));
      const flown = await pool.flyAll(jobs);
      expect(flown.map((r) => r.scenarioId)).toEqual(jobs.map((j) => j.scenario.id));
    } finally {
      process.chdir(here);
      await pool.close();
      rmSync(elsewhere, { recursive: true, force: true });
    }
  }, 180_000);

  it('gives the guidance search the same front whatever the pool size', async () => {
    const one = new FlightPool(1);
    const three = new FlightPool(3);
    try {
      const opts = { maxSimulations: 60, minibatch: 2, batch: 3, seed: 7 };
      const a = await searchGuidance(scenarios, {}, { ...opts, pool: one });
      const b = await searchGuidance(scenarios, {}, { ...opts, pool: three });
      expect(a.simulations).toBeLessThanOrEqual(60);
      expect(b.front.map((c) => c.genome)).toEqual(a.front.map((c) => c.genome));
      expect(b.front.map((c) => c.score)).toEqual(a.front.map((c) => c.score));
    } finally {
      await Promise.all([one.close(), three.close()]);
    }
  }, 300_000);

  it('replaces a worker that died idle, and fails the flight of one that dies flying', async () => {
    const pool = new FlightPool(2);
    // The pool's own threads, to kill them as a crash would (no hook in the product for it).
    const threads = () => (pool as unknown as { workers: Worker[] }).workers;
    const jobs = scenarios.map((scenario) => ({ scenario, rules: {} }));
    try {
      const before = await pool.flyAll(jobs);
      await Promise.all(threads().map((w) => w.terminate()));
      // Both died idle: new ones fly the next batch.
      expect(await pool.flyAll(jobs)).toEqual(before);

      const flying = pool.flyAll(jobs);
      await Promise.all(threads().map((w) => w.terminate()));
      await expect(flying).rejects.toThrow(/a flight worker exited \(code \d+\) during the flight/);
      expect(await pool.flyAll(jobs)).toEqual(before);
    } finally {
      await pool.close();
    }
  }, 180_000);

  it('refuses a size below 1 and work after close', async () => {
    expect(() => new FlightPool(0)).toThrow(
      'flight pool size must be a whole number of at least 1, got 0',
    );
    const pool = new FlightPool(1);
    await pool.close();
    await expect(pool.flyAll([])).rejects.toThrow('the flight pool is closed');
  });
});
