import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveScenario } from '@reverie/lunar-lander';
import { datasetTasks } from './commands/dataset';
import { Progress } from './progress';
import { formatRanges, triageOutcome } from './triage-result';
import { CI_BREAKAGES_DIR } from '@reverie/testing';
import { describeFailure, main } from './main';
import { runCli } from './testing/run-cli';

const dataset = CI_BREAKAGES_DIR;

describe('reverie CLI arguments', () => {
  const run = runCli;

  it('prints the usage for --help and for no command', async () => {
    expect(await run('--help')).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^usage: reverie <command>/),
    });
    expect((await run()).code).toBe(2);
  });

  it("prints one command's forms for <command> --help", async () => {
    const r = await run('batch', '--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^usage: reverie batch \[options\]/);
    // Both batch forms (triage cases, lunar family), the options, and no other command.
    expect(r.out).toContain('--split all|train|held-out');
    expect(r.out).toContain('--family <family> [--repeat <n>]');
    expect(r.out).toContain('--timeout <seconds>');
    expect(r.out).not.toMatch(/^ {2}(land|dream|eval) /m);
    const evalHelp = (await run('eval', 'triage', '--help')).out;
    expect(evalHelp).toMatch(/eval lander --scenarios/);
    // eval runs in-process: its help lists only the options it takes.
    expect(evalHelp).toContain('--json');
    expect(evalHelp).not.toMatch(/--url|--provider|--timeout/);
    expect((await run('land', '--help')).out).toMatch(
      /of these, the offline form takes only --json and --help, besides its own flags above/,
    );
    const unknown = await run('fly', '--help');
    expect(unknown.code).toBe(2);
    expect(unknown.out).toMatch(/unknown command "fly"[^]*usage: reverie <command>[^]*api-keys/);
  });

  it.each([
    [['--bogus'], /^unknown option --bogus\nusage: reverie <command>/],
    [['land', '--bogus'], /^unknown option --bogus\nusage: reverie land \[options\]/],
    // A flag's value before the command is not taken for the command.
    [
      ['--agent', 'agt_1', 'land', '--bogus'],
      /^unknown option --bogus\nusage: reverie land \[options\]/,
    ],
    [['fly'], /unknown command "fly"/],
    // The command is judged before the flags' values.
    [['fly', '--provider', 'x'], /^unknown command "fly"\nusage: reverie <command>/],
    [['run', '--agent', 'a'], /run needs --agent and --case/],
    [['batch', '--agent', 'a', '--split', 'test'], /--split must be all, train or held-out/],
    [['batch', '--agent', 'a', '--repeat', '0'], /--repeat must be a positive whole number/],
    [
      ['batch', '--agent', 'a', '--repeat', '-1'],
      /--repeat must be a positive whole number, not "-1"/,
    ],
    [
      ['land', '--family', 'easy', '--index', '-2'],
      /--index must be a whole number from 0, not "-2"/,
    ],
    [
      ['run', '--agent', 'a', '--case', 'c', '--provider', 'openai'],
      /--provider must be builtin or anthropic/,
    ],
    [['land', '--agent', 'a'], /land needs --family/],
    [['dream', 'cancel'], /dream cancel needs the dream id \(drm_…\)/],
    [['batch', 'cancel'], /batch cancel needs the batch id \(bat_…\)/],
    [
      ['batch', 'cancel', 'bat_1', '--repeat', '2'],
      /batch cancel takes the batch id only, not --repeat/,
    ],
    [['dream', 'cancel', 'drm_1', 'drm_2'], /dream cancel: unexpected argument "drm_2"/],
    [
      ['dream', 'cancel', 'drm_1', '--agent', 'a'],
      /dream cancel takes the dream id only, not --agent/,
    ],
    [['land', '--family', 'easy', '--index', '1.5'], /--index must be a whole number from 0/],
    [['land', '--family', 'easy', '--scenario', 'x.json'], /--family or --scenario, not both/],
    // A flag another command takes: refused, not parsed and ignored.
    [['eval', 'triage', '--cases', 'x', '--out', 'y.json'], /eval takes no --out/],
    [['eval', 'lander', '--scenarios', 'x.json', '--svg', 'p.svg'], /eval takes no --svg/],
    [['run', '--agent', 'a', '--case', 'c', '--cycles', '5'], /run takes no --cycles/],
    [
      'dream --offline --environment triage --cases x --out y.json --fresh-draws 5'.split(' '),
      /--fresh-draws is for lander dreams \(more draws of a scenario file's families\); triage takes none/,
    ],
    [
      'dream --offline --environment lander --scenarios x.json --out y.json --fresh-draws -1'.split(
        ' ',
      ),
      /--fresh-draws must be a whole number from 0 to 1000, not "-1"/,
    ],
    [
      'dream --offline --environment lander --scenarios x.json --out y.json --fresh-draws 1e3'.split(
        ' ',
      ),
      /--fresh-draws must be a whole number from 0 to 1000, not "1e3"/,
    ],
    [
      ['eval', 'lander', '--scenarios', 'x.json', '--fresh-draws', '5'],
      /eval takes no --fresh-draws/,
    ],
    // Offline forms run the builtin agent in-process: a gateway's or a model's option is refused.
    [
      ['eval', 'lander', '--scenarios', 'x.json', '--provider', 'anthropic'],
      /eval takes no --provider \(it runs in-process, with the builtin agent: no gateway, no model\)/,
    ],
    [['eval', 'triage', '--cases', 'x', '--url', 'http://localhost:1'], /eval takes no --url/],
    [
      'dream --offline --environment triage --cases x --out y.json --key k'.split(' '),
      /dream --offline takes no --key/,
    ],
    // A flag only the command's other form takes.
    [
      'dream --offline --environment triage --cases x --out y.json --agent a'.split(' '),
      /dream takes --agent only without --offline/,
    ],
    [['dream', '--agent', 'a', '--cases', 'x'], /dream takes --cases only with --offline/],
    // land --offline flies the builtin team in-process: a model's, gateway's or agent's flag is
    // refused, not ignored.
    [
      'land --offline --family easy --provider anthropic --model claude-x'.split(' '),
      /land --offline takes no --provider \(it runs in-process/,
    ],
    [
      ['land', '--offline', '--family', 'easy', '--url', 'http://x'],
      /land --offline takes no --url/,
    ],
    [['land', '--offline', '--family', 'easy', '--agent', 'a'], /land takes --agent only without/],
    [
      ['land', '--agent', 'a', '--family', 'easy', '--playbook', 'p.json'],
      /land takes --playbook only with --offline/,
    ],
    [
      ['land', '--offline', '--scenario', 'x.json', '--index', '3'],
      /--index picks a scenario of a --family; a --scenario file is one scenario/,
    ],
    // A one-value flag given twice: refused, not the last silently winning.
    [
      'eval lander --scenarios a.json --scenarios b.json'.split(' '),
      /--scenarios given twice \("a.json", then "b.json"\); give it once/,
    ],
    [
      'dream --offline --environment triage --environment lander --cases x --out y.json'.split(' '),
      /--environment given twice/,
    ],
    // An empty value is not "not given": it would dream on the current folder.
    [['eval', 'triage', '--cases='], /--cases needs a value/],
    [
      [
        'dream',
        '--offline',
        '--environment',
        'triage',
        '--cases',
        'x',
        '--out',
        'y.json',
        '--outcome',
        ' ',
      ],
      /--outcome needs a value/,
    ],
  ])('%j is a usage error with a usage line, not a stack trace', async (argv, message) => {
    const result = await run(...argv);
    expect(result.code).toBe(2);
    expect(result.out).toMatch(message);
    expect(result.out).toMatch(/usage: reverie/);
  });

  it("shows the command's own forms after its usage error, and says which command is unknown", async () => {
    const r = await run('land', '--agent', 'a');
    expect(r.out).toMatch(/usage: reverie land \[options\]/);
    expect(r.out).not.toMatch(/^ {2}(batch|dream|eval) /m);
    const dream = await run('dream', '--environment', 'triage', '--cases', 'x');
    expect(dream.code).toBe(2);
    expect(dream.out).toMatch(/dream takes --environment only with --offline/);
    expect((await run('dream')).out).toMatch(/dream needs --agent \(or --offline to dream/);
  });

  it('lands a craft offline and prints the touchdown report and the plot', async () => {
    const result = await run('land', '--offline', '--family', 'easy', '--index', '3');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^scenario easy-03: landed safely after [\d.]+ s \(\d+ steps\)/);
    expect(result.out).toMatch(/SAFE/);
    expect(result.out).toMatch(/vertical fuel-optimal|limit/);
    expect(result.out).toMatch(/altitude/i);
    expect(result.out).toMatch(/throttle/i);
  });

  it("flies offline with a role's playbook, as eval lander takes it", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reverie-land-playbook-'));
    try {
      const nav = join(dir, 'nav.json');
      const rule = {
        when: { feature: 'step', op: 'gte', value: 0 },
        then: { action: 'set', params: { guidanceLaw: 1, brakingAccelFraction: 0.95 } },
      };
      writeFileSync(
        nav,
        JSON.stringify({
          role: 'navigator',
          version: 1,
          entries: [
            { id: 'e1', title: 'Brake late and hard', status: 'active', rule },
            // A triage rule: the navigator skips it, and says so.
            {
              id: 'e2',
              title: 'Markers',
              status: 'active',
              rule: {
                when: { feature: 'isMarker', op: 'eq', value: true },
                then: { action: 'include' },
              },
            },
          ],
        }),
      );
      const fly = async (...more: string[]) =>
        JSON.parse(
          (await run('land', '--offline', '--family', 'easy', '--index', '3', '--json', ...more))
            .out,
        );
      const dayOne = (await fly()).result;
      const answer = await fly('--playbook', nav);
      const learned = answer.result;
      expect(answer.notes).toEqual([expect.stringMatching(/nav\.json: rule e2 skipped: /)]);
      // The rule changes the flight: another guidance law lands at another time.
      expect(learned.seconds).not.toBe(dayOne.seconds);
      const wrong = await run(
        'land',
        '--offline',
        '--family',
        'easy',
        '--playbook',
        `commander=${nav}`,
      );
      expect(wrong).toMatchObject({
        code: 2,
        out: expect.stringContaining(
          'is the navigator\'s playbook (its "role"), not the commander\'s',
        ),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('never announces an unsafe touchdown as a landing, and exits 1', async () => {
    // The day-one team runs dry on this diverting approach (the demo's first landing).
    const result = await run('land', '--offline', '--family', 'downrange', '--index', '0');
    expect(result.code).toBe(1);
    expect(result.out).toMatch(
      /^scenario downrange-00: touched down but did not land safely \(OUT OF FUEL\) after [\d.]+ s/,
    );
    expect(result.out).not.toMatch(/: landed/);
  });

  it('says which scenario file it could not read', async () => {
    expect(await run('land', '--scenario', '/no/such/file.json')).toMatchObject({
      code: 2,
      out: expect.stringMatching(/^cannot read the scenario file \/no\/such\/file.json: ENOENT/),
    });
  });

  it('checks --svg before the flight and never writes it over the scenario; flies one scenario', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reverie-land-'));
    try {
      const file = join(dir, 'one.json');
      const text = JSON.stringify(resolveScenario({ family: 'easy', index: 3 }));
      writeFileSync(file, text);
      const land = (...more: string[]) => run('land', '--offline', '--scenario', file, ...more);
      const over = await land('--svg', file);
      expect(over).toMatchObject({
        code: 2,
        out: expect.stringContaining('is an input of this run'),
      });
      expect(readFileSync(file, 'utf8')).toBe(text);
      const missing = await land('--svg', join(dir, 'nope', 'plot.svg'));
      expect(missing).toMatchObject({ code: 2, out: expect.stringMatching(/nope does not exist/) });
      expect(missing.out).not.toMatch(/scenario easy-03/);
      const family = join(dir, 'family.json');
      writeFileSync(family, JSON.stringify({ family: 'x', count: 2, seed: 1, base: {}, vary: {} }));
      const many = await run('land', '--offline', '--scenario', family);
      expect(many).toMatchObject({
        code: 2,
        out: expect.stringContaining('holds a family or a list of scenarios, and land flies one'),
      });
      expect(await land('--svg', join(dir, 'plot.svg'))).toMatchObject({ code: 0 });
      expect(readFileSync(join(dir, 'plot.svg'), 'utf8')).toMatch(/<svg xmlns/);
      // Read as every JSON input is: a byte-order mark skipped, UTF-16 named.
      writeFileSync(file, `\uFEFF${text}`);
      expect(await land('--no-plot')).toMatchObject({ code: 0 });
      writeFileSync(file, Buffer.from(`\uFEFF${text}`, 'utf16le'));
      expect(await land()).toMatchObject({
        code: 2,
        out: expect.stringContaining('one.json holds NUL bytes, so it is no UTF-8 JSON'),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an unknown family offline with the bundled ones named', async () => {
    await expect(run('land', '--offline', '--family', 'mars')).rejects.toThrow(
      /unknown scenario family "mars"; bundled families: easy, downrange, boulder-field, high-gate/,
    );
  });

  it('names the request once in each retry line when the gateway cannot be reached', async () => {
    const err: string[] = [];
    await expect(
      main(['dream', 'cancel', 'drm_1', '--url', 'http://127.0.0.1:1', '--key', 'k'], {
        out: () => undefined,
        err: (line) => err.push(line),
      }),
    ).rejects.toThrow(/^POST \/v1\/dreams\/drm_1\/cancel: cannot reach the API/);
    // A cancel is idempotent, so it is retried (3 times by default), each retry said once.
    expect(err).toHaveLength(3);
    for (const line of err)
      expect(line).toMatch(
        /^POST \/v1\/dreams\/drm_1\/cancel: cannot reach the API at http:\/\/127\.0\.0\.1:1 \([^)]*\); retrying in \d+ ms$/,
      );
  });

  it('needs an API key before calling the gateway', async () => {
    const saved = process.env.REVERIE_API_KEY;
    delete process.env.REVERIE_API_KEY;
    try {
      const result = await run('run', '--agent', 'a', '--case', 'c', '--url', 'http://127.0.0.1:1');
      expect(result.code).toBe(2);
      expect(result.out).toMatch(/no API key/);
      // An empty --key is refused as such, not read as no key given.
      const empty = await run('run', '--agent', 'a', '--case', 'c', '--key', '');
      expect(empty).toMatchObject({ code: 2, out: expect.stringMatching(/^--key needs a value/) });
    } finally {
      if (saved !== undefined) process.env.REVERIE_API_KEY = saved;
    }
  });
});

describe('dataset tasks', () => {
  it('lists every case, or one side of the stable split, repeated', () => {
    const all = datasetTasks(dataset, 'all', 1);
    const train = datasetTasks(dataset, 'train', 1);
    const heldOut = datasetTasks(dataset, 'held-out', 1);
    expect(all).toHaveLength(20);
    expect(train.length + heldOut.length).toBe(20);
    expect(new Set([...train, ...heldOut].map((t) => t.caseId))).toEqual(
      new Set(all.map((t) => t.caseId)),
    );
    expect(datasetTasks(dataset, 'held-out', 3)).toHaveLength(heldOut.length * 3);
  });

  it('says where it looked when the folder is missing', () => {
    expect(() => datasetTasks('/nowhere', 'all', 1)).toThrow(/dataset folder \/nowhere not found/);
  });
});

describe('output helpers', () => {
  it('finds the result observation and formats ranges', () => {
    const events = [
      { type: 'action', name: 'submit_answer' },
      {
        type: 'observation',
        data: {
          result: {
            answer: [
              { start: 3, end: 5 },
              { start: 9, end: 9 },
            ],
            f1: 0.5,
          },
        },
      },
    ];
    expect(triageOutcome(events)).toMatchObject({ f1: 0.5 });
    expect(triageOutcome([])).toBeNull();
    expect(
      formatRanges([
        { start: 3, end: 5 },
        { start: 9, end: 9 },
      ]),
    ).toBe('3-5, 9');
  });

  it('prints progress lines only when they change when not on a terminal', () => {
    const lines: string[] = [];
    const progress = new Progress(false, (s) => lines.push(s));
    progress.update(1, 4, 'completed 1');
    progress.update(1, 4, 'completed 1');
    progress.update(4, 4, 'completed 4');
    expect(lines).toEqual([
      '[########......................] 1/4 completed 1\n',
      '[##############################] 4/4 completed 4\n',
    ]);
  });

  it('redraws one line on a terminal, with no bar while nothing is counted, and ends it on finish', () => {
    const written: string[] = [];
    const progress = new Progress(true, (s) => written.push(s));
    expect(progress.live).toBe(true);
    progress.update(0, 0, 'dream 1 of 3: reflect');
    progress.update(2, 4, 'dream 1 of 3: localise');
    progress.finish();
    progress.update(2, 4, 'dream 1 of 3: localise');
    expect(written).toEqual([
      '\r\u001b[2Kdream 1 of 3: reflect',
      '\r\u001b[2K[###############...............] 2/4 dream 1 of 3: localise',
      '\n',
      // after finish the same line is drawn again, on the new line
      '\r\u001b[2K[###############...............] 2/4 dream 1 of 3: localise',
    ]);
  });

  it('fails with one line and, with --json, a JSON error on stdout too (the bin, as a shell runs it)', () => {
    const bin = join(__dirname, '..', '..', '..', 'bin', 'reverie.js');
    const r = spawnSync(
      process.execPath,
      [bin, 'eval', 'triage', '--cases', '/no/such/folder', '--json'],
      {
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^reverie: cannot read the dataset folder \/no\/such\/folder/);
    expect(JSON.parse(r.stdout)).toEqual({
      error: {
        message: expect.stringMatching(/^cannot read the dataset folder \/no\/such\/folder/),
        exitCode: 2,
      },
    });
    expect(describeFailure(new Error('boom'))).toEqual({
      message: 'unexpected error: boom',
      exitCode: 1,
    });
    // A file name with a newline (or an escape) in it does not split the line, nor the JSON.
    const dir = mkdtempSync(join(tmpdir(), 'reverie-cli-'));
    const odd = join(dir, 'two\nlines\u001b[31m');
    const named = spawnSync(process.execPath, [bin, 'eval', 'triage', '--cases', odd, '--json'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    rmSync(dir, { recursive: true });
    expect(named.status).toBe(2);
    expect(named.stderr.trimEnd().split('\n')).toEqual([
      expect.stringContaining('two\\nlines\\u001b[31m'),
    ]);
    expect(JSON.parse(named.stdout).error.message).toContain('two\\nlines\\u001b[31m');
    // A usage error prints the usage under its one line, on stderr only.
    const usage = spawnSync(process.execPath, [bin, 'fly', '--json'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/^reverie: unknown command "fly"\nusage: reverie <command>/);
    expect(JSON.parse(usage.stdout)).toEqual({
      error: { message: 'unknown command "fly"', exitCode: 2 },
    });
  }, 60_000);

  it('says in one line when an in-process command runs out of heap, where Node would abort with its trace (the bin, 192 MB of heap)', () => {
    // 450,000 lines of 80 characters: under the memory check's bound (the command runs, with a
    // note), over what 192 MB of heap holds once the lines are split and featured.
    const dir = mkdtempSync(join(tmpdir(), 'reverie-heap-'));
    mkdirSync(join(dir, 'big_1'));
    writeFileSync(join(dir, 'big_1', 'groundtruth'), 'DEFAULT\nE 1\n');
    writeFileSync(join(dir, 'big_1', 'pass.log'), 'ok\n');
    const block = Array.from({ length: 1_000 }, (_, i) => `row ${i}`.padEnd(80, 'x')).join('\n');
    writeFileSync(join(dir, 'big_1', 'fail.log'), `${block}\n`.repeat(450));
    const bin = join(__dirname, '..', '..', '..', 'bin', 'reverie.js');
    const r = spawnSync(process.execPath, [bin, 'eval', 'triage', '--cases', dir, '--json'], {
      encoding: 'utf8',
      timeout: 110_000,
      env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=192' },
    });
    rmSync(dir, { recursive: true });
    expect(r.status).toBe(1);
    expect(r.stderr).not.toMatch(/FATAL ERROR|JavaScript heap out of memory|^\s+at /m);
    expect(r.stderr.trimEnd().split('\n').at(-1)).toMatch(
      /^reverie: ran out of memory: the work needed more than the 192 MB of heap Node gives this process \(--max-old-space-size\); run it again with more, e\.g\. NODE_OPTIONS=--max-old-space-size=1024 /,
    );
    expect(JSON.parse(r.stdout)).toEqual({
      error: { message: expect.stringMatching(/^ran out of memory: /), exitCode: 1 },
    });
  }, 120_000);
});
