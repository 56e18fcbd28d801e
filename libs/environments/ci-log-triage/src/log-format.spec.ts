import { CI_BREAKAGES_DIR } from '@reverie/testing';
import { loadDataset } from './dataset.loader';
import { computeLineFeatures } from './line-features';
import { detectLogPrefixes, normaliseLog, normaliseLogLine } from './log-format';

const ESC = '\u001b';

describe('normaliseLog', () => {
  it('GitHub Actions raw log: drops the leading timestamp, keeps the indentation', () => {
    const log = normaliseLog([
      '2022-06-16T13:41:36.0262878Z [ERROR] Failed to execute goal',
      '2022-06-16T13:41:36.0263000Z     at a.b.C.m(C.java:12)',
      '2022-06-16T13:41:36.0279714Z ##[error]Process completed with exit code 1.',
    ]);
    expect(log.prefixes).toEqual(['github-actions-raw']);
    expect(log.lines).toEqual([
      '[ERROR] Failed to execute goal',
      '    at a.b.C.m(C.java:12)',
      '##[error]Process completed with exit code 1.',
    ]);
  });

  it('GitHub Actions full log: drops the job, step and timestamp columns', () => {
    const log = normaliseLog([
      'build (ubuntu-latest)\tBuild with Maven\t2024-01-24T10:00:00.1234567Z ##[group]Run mvn verify',
      'build (ubuntu-latest)\tBuild with Maven\t2024-01-24T10:00:00.2234567Z mvn verify',
      'build (ubuntu-latest)\tBuild with Maven\t2024-01-24T10:00:01.0000000Z ##[endgroup]',
      `build (ubuntu-latest)\tBuild with Maven\t2024-01-24T10:00:02.0000000Z [${ESC}[1;31mERROR${ESC}[m] boom`,
    ]);
    expect(log.prefixes).toEqual(['github-actions-full']);
    expect(log.lines).toEqual(['Run mvn verify', 'mvn verify', '', '[ERROR] boom']);
    expect(log.lines.some((l) => /\bbuild\b/.test(l))).toBe(false);
  });

  it('Jenkins: drops timestamper columns (ISO or time of day), keeps [Pipeline] lines', () => {
    expect(
      normaliseLog([
        '[2024-01-24T10:00:00.123Z] [Pipeline] sh',
        '[2024-01-24T10:00:01.456Z] + mvn verify',
        '[2024-01-24T10:00:09.000Z] [ERROR] Tests run: 3, Failures: 1',
      ]).lines,
    ).toEqual(['[Pipeline] sh', '+ mvn verify', '[ERROR] Tests run: 3, Failures: 1']);
    const timeOfDay = normaliseLog([
      '10:00:00  [Pipeline] sh',
      '10:00:01  + mvn verify',
      '10:00:02  BUILD FAILURE',
    ]);
    expect(timeOfDay.prefixes).toEqual(['jenkins-timestamper-time']);
    expect(timeOfDay.lines).toEqual(['[Pipeline] sh', '+ mvn verify', 'BUILD FAILURE']);
  });

  it('GitLab: drops timestamp/stream columns, section markers and ANSI', () => {
    const log = normaliseLog([
      '2024-01-24T10:00:00.000000Z 00O section_start:1716000010:step_script',
      `2024-01-24T10:00:00.100000Z 00O ${ESC}[0K${ESC}[36;1mExecuting "step_script" stage${ESC}[0;m`,
      '2024-01-24T10:00:01.000000Z 01E+ [ERROR] boom',
      '2024-01-24T10:00:02.000000Z 00O section_end:1716000300:step_script',
    ]);
    expect(log.prefixes).toEqual(['gitlab-timestamped']);
    expect(log.lines).toEqual(['', 'Executing "step_script" stage', '[ERROR] boom', '']);
    // Without timestamps, the section markers (with options) still go.
    expect(normaliseLogLine('section_start:1716000010:build[collapsed=true]', [])).toBe('');
  });

  describe('Docker BuildKit plain progress', () => {
    const buildkit = [
      '#1 [internal] load build definition from Dockerfile',
      '#1 transferring dockerfile: 32B done',
      '#1 DONE 0.0s',
      '',
      '#5 [2/4] RUN npm ci',
      '#5 0.512 npm ERR! code E404',
      '#5 1.234 npm ERR! 404 Not Found - GET https://registry.npmjs.org/nope',
      '#5 ERROR: process "/bin/sh -c npm ci" did not complete successfully: exit code: 1',
      '------',
      ' > [2/4] RUN npm ci:',
      '0.512 npm ERR! code E404',
      '------',
      'Dockerfile:3',
      '--------------------',
      'ERROR: failed to solve: process "/bin/sh -c npm ci" did not complete successfully: exit code: 1',
    ];
    const printed = [
      '[internal] load build definition from Dockerfile',
      'transferring dockerfile: 32B done',
      'DONE 0.0s',
      '',
      '[2/4] RUN npm ci',
      'npm ERR! code E404',
      'npm ERR! 404 Not Found - GET https://registry.npmjs.org/nope',
      'ERROR: process "/bin/sh -c npm ci" did not complete successfully: exit code: 1',
      '------',
      ' > [2/4] RUN npm ci:',
      'npm ERR! code E404',
      '------',
      'Dockerfile:3',
      '--------------------',
      'ERROR: failed to solve: process "/bin/sh -c npm ci" did not complete successfully: exit code: 1',
    ];

    it('drops the #N step and the elapsed column, also in the error summary', () => {
      expect(normaliseLog(buildkit)).toEqual({ prefixes: ['buildkit-step'], lines: printed });
      // One elapsed column per line, with BuildKit's 3 decimals: the build's own numbers stay.
      expect(normaliseLogLine('#5 0.512 1.234 s', ['buildkit-step'])).toBe('1.234 s');
      expect(normaliseLogLine('1.5 MB copied', ['buildkit-step'])).toBe('1.5 MB copied');
    });

    it('in a GitHub Actions raw log (docker/build-push-action): the step column stacks', () => {
      const wrapped = buildkit.map(
        (l, i) => `2024-01-24T10:00:${String(i).padStart(2, '0')}.1234567Z ${l}`,
      );
      expect(normaliseLog(wrapped)).toEqual({
        prefixes: ['github-actions-raw', 'buildkit-step'],
        lines: printed,
      });
    });

    it("a docker build step among a job's other steps: found on a fifth of the lines", () => {
      const job = [
        ...Array.from({ length: 20 }, (_, i) => `Run step ${i}: setting up the runner`),
        '#9 [stage-1 2/3] RUN apt-get install -y libssl1.1',
        ...Array.from({ length: 6 }, (_, i) => `#9 2.${100 + i} Reading package lists...`),
        "#9 2.401 E: Package 'libssl1.1' has no installation candidate",
        '#9 ERROR: process "/bin/sh -c apt-get install -y libssl1.1" did not complete successfully',
        '------',
        "2.401 E: Package 'libssl1.1' has no installation candidate",
        'Error: Process completed with exit code 1.',
      ];
      const log = normaliseLog(job);
      expect(log.prefixes).toEqual(['buildkit-step']);
      expect(log.lines.slice(27)).toEqual([
        "E: Package 'libssl1.1' has no installation candidate",
        'ERROR: process "/bin/sh -c apt-get install -y libssl1.1" did not complete successfully',
        '------',
        "E: Package 'libssl1.1' has no installation candidate",
        'Error: Process completed with exit code 1.',
      ]);
      // Seven such lines are not a section.
      expect(detectLogPrefixes(job.slice(0, 27))).toEqual([]);
    });

    it('leaves a few #1 lines, markdown headings and #include alone', () => {
      const script = [
        '+ set -e',
        '#1 first step',
        '+ npm ci',
        '0.512 seconds to resolve',
        '#2 second step',
        '+ npm test',
        'FAIL src/a.test.ts',
      ];
      expect(detectLogPrefixes(script)).toEqual([]);
      expect(normaliseLog(script).lines).toEqual(script);
      const markdown = ['# Title', '## Section', '# Another', '#  1 spaced'];
      expect(detectLogPrefixes(markdown)).toEqual([]);
      const c = ['#include <stdio.h>', '#include <stdlib.h>', '#define N 1', '#1abc'];
      expect(detectLogPrefixes(c)).toEqual([]);
    });
  });

  it('leaves a plain log alone, and a time at the start of a few lines of it', () => {
    const plain = [
      '[INFO] Building x',
      '12:00:00 the tests started',
      '[INFO] BUILD FAILURE',
      'done',
    ];
    expect(detectLogPrefixes(plain)).toEqual([]);
    expect(normaliseLog(plain).lines).toEqual(plain);
  });

  describe('formats no case was written for, by shape', () => {
    const BEL = '\u0007';

    it('Buildkite: drops the APC timestamp sequences and OSC hyperlinks, keeps the text', () => {
      const log = normaliseLog([
        `${ESC}_bk;t=1706090400123${BEL}--- :maven: Build`,
        `${ESC}_bk;t=1706090400456${BEL}[ERROR] see ${ESC}]8;;https://x.test/a${ESC}\\the docs${ESC}]8;;${ESC}\\`,
      ]);
      expect(log.prefixes).toEqual([]);
      expect(log.lines).toEqual(['--- :maven: Build', '[ERROR] see the docs']);
    });

    it('Travis CI: drops fold and timing markers', () => {
      expect(
        normaliseLog([
          'travis_fold:start:install',
          'travis_time:start:0a1b2c',
          '$ mvn install',
          'travis_time:end:0a1b2c:start=1,finish=2,duration=1,event=install',
        ]).lines,
      ).toEqual(['', '', '$ mvn install', '']);
    });

    it('Azure Pipelines: drops the timestamp and the ##[section] / ##[command] viewer marks', () => {
      expect(
        normaliseLog([
          '2024-01-24T10:00:00.1234567Z ##[section]Starting: Build',
          '2024-01-24T10:00:00.2234567Z ##[command]/usr/bin/mvn verify',
          '2024-01-24T10:00:09.0000000Z ##[error]Bash exited with code 1.',
        ]).lines,
      ).toEqual(['Starting: Build', '/usr/bin/mvn verify', '##[error]Bash exited with code 1.']);
    });

    it('TeamCity: drops the [time] column that no space follows, the status letter and the step', () => {
      const log = normaliseLog([
        '[10:00:00]i: [Step 1/2] Starting: mvn',
        '[10:00:01]E:\t [Step 1/2] [ERROR] boom',
        '[10:00:02] : [Step 1/2] done',
      ]);
      expect(log.prefixes).toEqual(['bracketed-time']);
      expect(log.lines).toEqual(['Starting: mvn', '[ERROR] boom', 'done']);
    });

    it('TeamCity: also a line with no time (printed in the same second) and any block name', () => {
      const log = normaliseLog([
        '[10:22:09]W:\t [Step 2/3] Build failed with 3 weighted issues.',
        ':\t [Step 2/3] \tLongParameterList - 8/7 - at Invoice.kt:12:5',
        ':\t [Step 2/3] ',
        '[10:22:40]i:\t [Publishing artifacts] Publishing 2 files',
        ':\t [Publishing artifacts] Collecting files to publish: [build/reports => reports]',
        'e: file:///src/A.kt:3:1 unresolved reference', // no tab: the build's own line
      ]);
      expect(log.prefixes).toEqual(['bracketed-time']);
      expect(log.lines).toEqual([
        'Build failed with 3 weighted issues.',
        '\tLongParameterList - 8/7 - at Invoice.kt:12:5',
        '',
        'Publishing 2 files',
        'Collecting files to publish: [build/reports => reports]',
        'e: file:///src/A.kt:3:1 unresolved reference',
      ]);
    });

    it('date-time columns: slashed, dotted, bracketed and syslog dates; epoch timestamps', () => {
      expect(
        normaliseLog(['[2024/01/24 10:00:00.123] mvn verify', '[2024/01/24 10:00:01.000] FAIL'])
          .lines,
      ).toEqual(['mvn verify', 'FAIL']);
      expect(
        normaliseLog(['(24.01.2024 10:00:00) mvn verify', '(24.01.2024 10:00:01)   FAIL']).lines,
      ).toEqual(['mvn verify', '  FAIL']);
      expect(normaliseLog(['Jan  4 10:00:00 mvn verify', 'Jan  4 10:00:01 BUILD FAILURE'])).toEqual(
        { prefixes: ['date-time'], lines: ['mvn verify', 'BUILD FAILURE'] },
      );
      expect(
        normaliseLog(['1706090400123 mvn verify', '1706090401000   FAIL: x', 'plain']),
      ).toEqual({ prefixes: ['epoch-timestamp'], lines: ['mvn verify', '  FAIL: x', 'plain'] });
    });

    it('label columns stack with a timestamp: compose services, a monorepo runner', () => {
      // Two services, six lines each: a column (a label has at least five lines).
      const compose = normaliseLog(
        Array.from({ length: 12 }, (_, i) =>
          i % 2
            ? `db-1   | 2024-01-24T10:00:${String(i).padStart(2, '0')}.000Z ready ${i}`
            : `web-1  | 2024-01-24T10:00:${String(i).padStart(2, '0')}.000Z step ${i}`,
        ),
      );
      expect(compose.prefixes).toEqual(['labelled-column', 'github-actions-raw']);
      expect(compose.lines.slice(0, 3)).toEqual(['step 0', 'ready 1', 'step 2']);
      const turbo = normaliseLog([
        '@acme/web:build: > tsc -p .',
        '@acme/web:build: src/a.ts(3,1): error TS2304',
        '@acme/web:build: src/b.ts(9,1): error TS2304',
        '@acme/web:build: Found 2 errors.',
        '@acme/web:build: ELIFECYCLE Command failed.',
        '@acme/web:build:   at exit',
      ]);
      expect(turbo.prefixes).toEqual(['labelled-column']);
      expect(turbo.lines).toEqual([
        '> tsc -p .',
        'src/a.ts(3,1): error TS2304',
        'src/b.ts(9,1): error TS2304',
        'Found 2 errors.',
        'ELIFECYCLE Command failed.',
        '  at exit',
      ]);
    });

    it('Bamboo: drops the line kind and the date-time columns (`build\\t24-Jan-2024 10:00:00\\t`)', () => {
      const log = normaliseLog([
        'simple\t24-Jan-2024 10:00:00\tStarting task "Maven" of type "com.atlassian.bamboo.plugins.maven"',
        'build\t24-Jan-2024 10:00:01\t[INFO] Scanning for projects...',
        'error\t24-Jan-2024 10:00:09\tnpm ERR! code E404',
        'build\t24-Jan-2024 10:00:09\t  indented output',
      ]);
      expect(log.prefixes).toEqual(['tabbed-date-time']);
      expect(log.lines).toEqual([
        'Starting task "Maven" of type "com.atlassian.bamboo.plugins.maven"',
        '[INFO] Scanning for projects...',
        'npm ERR! code E404',
        '  indented output',
      ]);
    });

    it('Google Cloud Build and Tekton: drops the step label column when labels are few', () => {
      const steps = (prefix: (i: number) => string) =>
        Array.from({ length: 12 }, (_, i) => `${prefix(i)}line ${i}`);
      const cloudBuild = normaliseLog(
        steps((i) => (i < 6 ? 'Step #0 - "fetch": ' : 'Step #1 - "test": ')),
      );
      expect(cloudBuild.prefixes).toEqual(['labelled-column']);
      expect(cloudBuild.lines[7]).toBe('line 7');
      const tekton = normaliseLog(steps((i) => (i < 6 ? '[prepare] ' : '[unit-test] ')));
      expect(tekton.prefixes).toEqual(['bracketed-label']);
      expect(tekton.lines[0]).toBe('line 0');
      // Drone's and Woodpecker's step label with its line counter.
      const drone = normaliseLog(steps((i) => (i < 6 ? `[clone:${i}] ` : `[build:${i - 6}] `)));
      expect(drone.prefixes).toEqual(['bracketed-label']);
      expect(drone.lines[9]).toBe('line 9');
      // Levels and a CI system's own tags in brackets are the build's text, however few.
      const levels = steps((i) => (i % 3 ? '[INFO] ' : i % 2 ? '[error] ' : '[Pipeline] '));
      expect(normaliseLog(levels).lines).toEqual(levels);
    });

    it('leaves output alone whose "labels" are many, or whose columns are the build\'s own', () => {
      const gcc = Array.from({ length: 8 }, (_, i) => `src/f${i}.c:${10 + i}: warning: unused x`);
      expect(detectLogPrefixes(gcc)).toEqual([]);
      const maven = ['[INFO] Building x', '[INFO] --- compiler ---', '[ERROR] boom', 'ERROR: x'];
      expect(normaliseLog(maven).lines).toEqual(maven);
      const table = ['name | value', 'a | 1', 'b | 2', 'c | 3'];
      expect(detectLogPrefixes(table)).toEqual([]);
    });
  });

  it('rules see the build output: "build" in the job name is on no line', () => {
    const failLines = [
      'build\tRun mvn\t2024-01-24T10:00:00.0000000Z [INFO] Compiling',
      'build\tRun mvn\t2024-01-24T10:00:00.1000000Z [ERROR] cannot find symbol',
      'build\tRun mvn\t2024-01-24T10:00:00.2000000Z [INFO] BUILD FAILURE',
    ];
    const passLines = ['build\tRun mvn\t2024-01-23T09:00:00.0000000Z [INFO] Compiling'];
    const f = computeLineFeatures({ failLines, passLines });
    expect(f.filter((x) => /\bbuild\b/.test(x.text))).toEqual([]);
    expect(f.map((x) => x.inPassLog)).toEqual([true, false, false]);
    expect(f.map((x) => x.isMarker)).toEqual([false, true, true]);
  });
});

describe('normaliseLog on the bundled logs wrapped as other CI systems print them', () => {
  const t0 = Date.UTC(2025, 0, 24, 10, 0, 0);
  const at = (i: number) => new Date(t0 + 37 * i);
  const hms = (d: Date) => d.toISOString().slice(11, 19);
  const WRAPPERS: Record<string, (line: string, i: number) => string> = {
    buildkite: (l, i) => `${ESC}_bk;t=${t0 + 37 * i}\u0007${l}`,
    teamcity: (l, i) => `[${hms(at(i))}]${i % 7 ? 'i' : 'W'}: [Step 2/3] ${l}`,
    'compose, then an ISO time': (l, i) =>
      `${i % 3 ? 'build-1' : 'cache-1'}  | ${at(i).toISOString()} ${l}`,
    'monorepo runner': (l, i) => `${i % 4 ? '@acme/app' : '@acme/lib'}:build: ${l}`,
    'slashed date': (l, i) =>
      `[${at(i).toISOString().slice(0, 10).replace(/-/g, '/')} ${hms(at(i))}] ${l}`,
    syslog: (l, i) => `Jan 24 ${hms(at(i))} ${l}`,
    epoch: (l, i) => `${t0 + 37 * i} ${l}`,
    'docker buildkit': (l, i) => `#${5 + (i >> 6)} ${((37 * i) / 1000).toFixed(3)} ${l}`,
    bamboo: (l, i) => `${i % 5 ? 'build' : 'simple'}\t24-Jan-2024 ${hms(at(i))}\t${l}`,
    'cloud build': (l, i) => (i < 256 ? `Step #0 - "fetch": ${l}` : `Step #1 - "test": ${l}`),
    tekton: (l, i) => `[${i >> 8 ? 'step-test' : 'step-prepare'}] ${l}`,
  };

  it.each(Object.keys(WRAPPERS))("%s: every line is the build's line again", async (name) => {
    const cases = await loadDataset(CI_BREAKAGES_DIR);
    expect(cases.length).toBeGreaterThan(10);
    for (const c of cases) {
      const wrapped = c.failLines.map((l, i) =>
        // TeamCity marks the status only on non-blank lines; blank lines stay blank elsewhere too.
        l.trim() === '' && name !== 'buildkite' ? l : WRAPPERS[name](l, i),
      );
      const expected = normaliseLog(c.failLines).lines;
      const got = normaliseLog(wrapped).lines;
      const wrong = got.flatMap((l, i) =>
        l === expected[i] ? [] : [{ i, got: l, expected: expected[i] }],
      );
      expect({ case: c.id, wrong: wrong.slice(0, 3) }).toEqual({ case: c.id, wrong: [] });
    }
  });
});
