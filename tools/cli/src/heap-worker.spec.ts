import { oldSpaceFlagMb, outOfMemoryMessage } from './heap-worker';

describe('the out-of-memory line', () => {
  it('names the --max-old-space-size given (a flag over NODE_OPTIONS, as in Node), not V8 heap limit', () => {
    expect(oldSpaceFlagMb(['--max-old-space-size=170'], '')).toBe(170);
    expect(oldSpaceFlagMb([], '--enable-source-maps --max-old-space-size=512')).toBe(512);
    expect(oldSpaceFlagMb(['--max-old-space-size=100'], '--max-old-space-size=300')).toBe(100);
    expect(oldSpaceFlagMb([], '')).toBeNull();
    expect(oldSpaceFlagMb(['--max_old_space_size=256'], '')).toBe(256);
    expect(outOfMemoryMessage(170, true)).toMatch(
      /more than the 170 MB of heap Node gives this process \(--max-old-space-size\); .*--max-old-space-size=1024 /,
    );
    // Without the flag: V8's limit, and a whole number of GB at least twice it.
    expect(outOfMemoryMessage(4144, false)).toMatch(/the 4144 MB of heap .*=9216 /);
  });
});
