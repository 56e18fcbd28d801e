import { ConcurrencyLimiter } from './concurrency-limiter';

it('runs at most `limit` tasks at once and all of them eventually', async () => {
  const limiter = new ConcurrencyLimiter(3);
  let running = 0;
  let most = 0;
  const done: number[] = [];
  const gates: (() => void)[] = [];
  const tasks = Array.from({ length: 10 }, (_, i) =>
    limiter.run(async () => {
      running++;
      most = Math.max(most, running);
      await new Promise<void>((resolve) => gates.push(resolve));
      running--;
      done.push(i);
    }),
  );
  while (done.length < 10) {
    await new Promise((resolve) => setImmediate(resolve));
    gates.shift()?.();
  }
  await Promise.all(tasks);
  expect(most).toBe(3);
  expect(done).toHaveLength(10);
  expect(limiter.running).toBe(0);
});

it('frees the slot when a task fails', async () => {
  const limiter = new ConcurrencyLimiter(1);
  await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  await expect(limiter.run(async () => 'next')).resolves.toBe('next');
});
