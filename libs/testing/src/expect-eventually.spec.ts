import { expectEventually } from './expect-eventually';

describe('expectEventually', () => {
  it('returns as soon as the probe passes', async () => {
    let calls = 0;
    const value = await expectEventually(
      () => {
        calls++;
        if (calls < 3) throw new Error('not yet');
        return 'done';
      },
      { intervalMs: 1 },
    );
    expect(value).toBe('done');
    expect(calls).toBe(3);
  });

  it("fails with the probe's last error after the deadline", async () => {
    await expect(
      expectEventually(() => Promise.reject(new Error('never')), { timeoutMs: 20, intervalMs: 5 }),
    ).rejects.toThrow('never');
  });
});
