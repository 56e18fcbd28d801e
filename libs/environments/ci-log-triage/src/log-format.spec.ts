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
