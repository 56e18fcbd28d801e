import { mkdtemp, mkdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { splitLogLines } from './log-lines';
import { loadCases, loadDataset } from './dataset.loader';
import { DEFAULT_SPLIT, splitCases } from './dataset.split';
import { runEpisode } from './episode';
import { CI_BREAKAGES_DIR } from '@reverie/testing';

const DATASET = CI_BREAKAGES_DIR;

describe('loadDataset on the shipped CI-breakages data', () => {
  let cases: Awaited<ReturnType<typeof loadDataset>>;
  beforeAll(async () => {
    cases = await loadDataset(DATASET);
  });

  it('has twenty labelled cases with both logs', () => {
    expect(cases).toHaveLength(20);
    for (const c of cases) {
      expect(c.failLines.length).toBeGreaterThan(0);
      expect(c.passLines.length).toBeGreaterThan(0);
      expect(c.errorRanges.length).toBeGreaterThan(0);
    }
    expect(new Set(cases.map((c) => c.format))).toEqual(new Set(['DEFAULT', 'RAW_GITHUB']));
  });

  it('keeps every labelled range within fail.log (lines end at \\r as well as \\n)', () => {
    for (const c of cases)
      for (const r of [...c.errorRanges, ...c.contextRanges]) {
        expect(r.start).toBeGreaterThanOrEqual(1);
        expect(r.end).toBeLessThanOrEqual(c.failLines.length);
      }
  });

  it('splits into non-empty train and held-out sets, and every case runs an episode', () => {
    const { train, heldOut } = splitCases(cases, DEFAULT_SPLIT);
    expect(train.length + heldOut.length).toBe(20);
    expect(train.length).toBeGreaterThan(0);
    expect(heldOut.length).toBeGreaterThan(0);
    for (const c of cases) expect(runEpisode(c).steps.at(-1)?.kind).toBe('submit');
  });
});

describe('loadDataset errors', () => {
  it('says which case and file is wrong', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'triage-'));
    await mkdir(join(dir, 'x_1'));
    await writeFile(join(dir, 'x_1', 'fail.log'), 'a\nb\n');
    await writeFile(join(dir, 'x_1', 'pass.log'), 'a\n');
    await expect(loadDataset(dir)).rejects.toThrow(/case x_1 has no readable groundtruth/);
    await expect(loadDataset(dir)).rejects.toThrow(
      /a case folder holds fail\.log, pass\.log \(the log of the last passing build, an empty file when there is none\) and groundtruth/,
    );
    await writeFile(join(dir, 'x_1', 'groundtruth'), 'DEFAULT\nE 2-3\n');
    await expect(loadDataset(dir)).rejects.toThrow(
      /x_1\/groundtruth labels lines 2-3 but fail.log has 2 lines/,
    );
    await expect(loadDataset(join(dir, 'missing'))).rejects.toThrow(
      /cannot read the dataset folder/,
    );
  });

  it('passes over hidden folders, refuses a binary log and names an entry it cannot look at', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'triage-'));
    await mkdir(join(dir, 'x_1'));
    await writeFile(join(dir, 'x_1', 'fail.log'), 'a\nb\n');
    await writeFile(join(dir, 'x_1', 'pass.log'), 'a\n');
    await writeFile(join(dir, 'x_1', 'groundtruth'), 'DEFAULT\nE 2\n');
    // A checkout's own folder is no case.
    await mkdir(join(dir, '.git'));
    expect((await loadDataset(dir)).map((c) => c.id)).toEqual(['x_1']);
    // A compressed download is no log: gzip's header holds NUL bytes.
    await writeFile(join(dir, 'x_1', 'pass.log'), Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00]));
    await expect(loadDataset(dir)).rejects.toThrow(/case x_1: pass.log holds NUL bytes/);
    await writeFile(join(dir, 'x_1', 'pass.log'), 'a\n');
    // Random bytes with no NUL among them: no UTF-8 text either.
    const noise = Buffer.from(Array.from({ length: 4096 }, (_, i) => 0x80 + ((i * 37) % 0x7f)));
    await writeFile(join(dir, 'x_1', 'fail.log'), noise);
    await expect(loadDataset(dir)).rejects.toThrow(/case x_1: fail.log is not UTF-8 text/);
    // A few Latin-1 accents in a text log still read.
    await writeFile(
      join(dir, 'x_1', 'fail.log'),
      Buffer.concat([Buffer.from('Fehler: Pr'), Buffer.from([0xfc]), Buffer.from('fung\nb\n')]),
    );
    expect((await loadDataset(dir))[0].failLines[0]).toBe('Fehler: Pr\uFFFDfung');
    await symlink(join(dir, 'gone'), join(dir, 'y_2'));
    await expect(loadDataset(dir)).rejects.toThrow(/cannot read .*y_2 in the dataset folder/);
  });
});

describe("loadCases (a user's folder)", () => {
  it('skips the folders that are no usable case, with the reason, and loads the rest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'triage-'));
    const write = async (id: string, files: Record<string, string>) => {
      await mkdir(join(dir, id));
      for (const [name, text] of Object.entries(files)) await writeFile(join(dir, id, name), text);
    };
    await write('good_1', {
      'fail.log': 'a\nb\n',
      'pass.log': 'a\n',
      groundtruth: 'DEFAULT\nE 2\n',
    });
    // CiDiff's first layout: bare ranges, no format line; and no pass.log.
    await write('old_2', { 'fail.log': 'x\ny\nz\n', groundtruth: '2-3\n' });
    await write('labels_only_3', { groundtruth: 'DEFAULT\nE 1\n' });
    await write('bad_labels_4', {
      'fail.log': 'a\n',
      'pass.log': '',
      groundtruth: 'DEFAULT\nE 9\n',
    });
    // A device in a log's place would be read until memory ran out: refused unread.
    await write('device_5', { 'pass.log': '', groundtruth: 'DEFAULT\nE 1\n' });
    await symlink('/dev/zero', join(dir, 'device_5', 'fail.log'));
    await writeFile(join(dir, 'README.md'), 'not a case');

    const loaded = await loadCases(dir);
    expect(loaded.cases.map((c) => c.id)).toEqual(['good_1', 'old_2']);
    expect(loaded.cases[1]).toMatchObject({ errorRanges: [{ start: 2, end: 3 }], passLines: [] });
    expect(loaded.notes).toEqual(['case old_2 has no pass.log: read as no passing build']);
    expect(loaded.skipped).toEqual([
      {
        id: 'bad_labels_4',
        reason: 'bad_labels_4/groundtruth labels lines 9 but fail.log has 1 line',
      },
      {
        id: 'device_5',
        reason: expect.stringMatching(
          /^case device_5 has no readable fail\.log: it is a device, not a file \(a case folder holds/,
        ),
      },
      {
        id: 'labels_only_3',
        reason: expect.stringMatching(/^case labels_only_3 has no readable fail\.log/),
      },
    ]);
    // The strict loader (the bundled datasets) still refuses such a folder.
    await expect(loadDataset(dir)).rejects.toThrow(/has no readable|labels lines 9/);
  });

  it("notes a fail.log whose lone carriage returns number its lines unlike grep -n's", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'triage-'));
    const write = async (id: string, fail: string) => {
      await mkdir(join(dir, id));
      await writeFile(join(dir, id, 'fail.log'), fail);
      await writeFile(join(dir, id, 'pass.log'), 'ok\n');
      await writeFile(join(dir, id, 'groundtruth'), 'GITLAB\nE 1\n');
    };
    // A GitLab trace: each section marker ends in a lone \r; CRLF lines count as grep counts them.
    await write(
      'gitlab_1',
      'section_start:1:build\r\u001b[0Kbuild\r\n$ make\r\nerror: boom\nsection_end:2:build\r\u001b[0K',
    );
    await write('crlf_2', 'a\r\nb\r\n');
    const loaded = await loadCases(dir);
    expect(loaded.cases.find((c) => c.id === 'gitlab_1')?.failLines).toHaveLength(6);
    expect(loaded.notes).toEqual([
      "1 case(s) have carriage returns not followed by a newline in fail.log (gitlab_1: 6 here, 4 by grep -n): each ends a line here, as the CiDiff labels count, so groundtruth line numbers run past grep -n's; to number a log's lines as here: sed 's/\\r$//' fail.log | tr '\\r' '\\n' | grep -n PATTERN",
    ]);
  });

  it('refuses, before reading them, logs larger than the heap could hold, by their bytes and lines', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'triage-'));
    await mkdir(join(dir, 'x_1'));
    await writeFile(join(dir, 'x_1', 'groundtruth'), 'DEFAULT\nE 1\n');
    await writeFile(join(dir, 'x_1', 'fail.log'), 'a\n');
    await writeFile(join(dir, 'x_1', 'pass.log'), 'b\n'.repeat(511) + 'b');
    // 1,025 bytes and 513 lines: at least 1,025 + 513 x 170 = 88,235 bytes to read, and
    // 1.8 x 1,025 + 87,210 = 89,055 to dream on.
    await expect(loadCases(dir, { heapFree: 4096 })).rejects.toThrow(
      /hold 2 KB \(513 lines in the largest case\), which needs at least 87 KB of memory to read, more than this process's heap has free \(4 KB\).*NODE_OPTIONS=--max-old-space-size=1024\)$/,
    );
    // Above the bound it loads; below what the measured folders needed at most (2.6 times it),
    // with a note that says so and how to raise the heap.
    const tight = await loadCases(dir, { heapFree: 88_300 });
    expect(tight.cases).toHaveLength(1);
    expect(tight.notes).toEqual([
      expect.stringMatching(
        /hold 2 KB \(513 lines in the largest case\), which may need up to 225 KB of memory to read; this process's heap has 87 KB free; if Node runs out of memory, give fewer cases at a time or raise the heap \(NODE_OPTIONS=--max-old-space-size=1024\)$/,
      ),
    ]);
    expect((await loadCases(dir, { heapFree: 230_000 })).notes).toEqual([]);
    await expect(loadCases(dir, { heapFree: 88_300, use: 'dream' })).rejects.toThrow(
      /needs at least 87 KB of memory to dream on/,
    );
    expect((await loadCases(dir, { heapFree: 89_100, use: 'dream' })).cases).toHaveLength(1);
    // A log of few long lines needs little more than its bytes.
    await writeFile(join(dir, 'x_1', 'pass.log'), 'b'.repeat(100_000));
    expect((await loadCases(dir, { heapFree: 101_000 })).cases).toHaveLength(1);
  });

  it('counts lines as the labels do (\\r\\n, a lone \\r and \\n each end one), across read chunks', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'triage-'));
    await mkdir(join(dir, 'x_1'));
    await writeFile(join(dir, 'x_1', 'groundtruth'), 'DEFAULT\nE 1\n');
    const fail = 'a\rb\r\nc\n\nd';
    // A \r\n across the first 64 KB read.
    const pass = `${'x'.repeat(65_535)}\r\ny\r`;
    await writeFile(join(dir, 'x_1', 'fail.log'), fail);
    await writeFile(join(dir, 'x_1', 'pass.log'), pass);
    const lines = splitLogLines(fail).length + splitLogLines(pass).length;
    expect(lines).toBe(5 + 2);
    await expect(loadCases(dir, { heapFree: 1 })).rejects.toThrow(
      `(${lines} lines in the largest case)`,
    );
  });

  it('refuses a folder in which no case can be used, saying why', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'triage-'));
    await mkdir(join(dir, 'x_1'));
    await expect(loadCases(dir)).rejects.toThrow(
      /^no usable case in .*: case x_1 has no readable fail\.log/,
    );
    const empty = await mkdtemp(join(tmpdir(), 'triage-'));
    await expect(loadCases(empty)).rejects.toThrow(/has no case folders \(a case folder holds/);
    // One case's own folder given for the dataset's: told to give the folder above it.
    await writeFile(join(empty, 'fail.log'), 'x\n');
    await expect(loadCases(empty)).rejects.toThrow(/is itself a case .*such as its parent/);
    // Case folders one level too deep (a copied archive's top folder): told which folder to give.
    const above = await mkdtemp(join(tmpdir(), 'triage-'));
    await mkdir(join(above, 'ci-cases', 'a_1'), { recursive: true });
    await writeFile(join(above, 'ci-cases', 'a_1', 'fail.log'), 'x\n');
    await expect(loadCases(above)).rejects.toThrow(
      `no usable case in ${above}, but ${join(above, 'ci-cases')} holds case folders (with fail.log); give that folder, one level down`,
    );
  });
});
