import { reformatCase } from './log-families';
import { caseProject, logKind } from './log-kind';
import type { TriageCase } from './triage-case';

describe('logKind', () => {
  it('names the Maven plugin whose goal failed, without group, version or goal', () => {
    expect(
      logKind([
        '[INFO] BUILD FAILURE',
        '[ERROR] Failed to execute goal org.apache.maven.plugins:maven-compiler-plugin:3.1:compile (default-compile) on project x: Compilation failure',
      ]),
    ).toBe('maven:compiler');
    expect(
      logKind([
        '[ERROR] Failed to execute goal fr.inria.gforge.spoon:spoon-maven-plugin:3.5-SNAPSHOT:generate (default-cli) on project x',
      ]),
    ).toBe('maven:spoon');
    expect(
      logKind([
        '\u001b[1;31m[ERROR]\u001b[m Failed to execute goal \u001b[32morg.pitest:pitest-maven:1.4.0:mutationCoverage\u001b[m (default-cli)',
      ]),
    ).toBe('maven:pitest');
  });

  it('tells unresolved dependencies, Gradle tasks, builds that never ran and other tools apart', () => {
    expect(
      logKind([
        '[ERROR] Failed to execute goal on project x: Could not resolve dependencies for project a:b:jar:1',
      ]),
    ).toBe('maven:dependencies');
    expect(
      logKind([
        '> Task :cidiff:compileJava',
        '> Task :cidiff:checkstyleMain FAILED',
        'BUILD FAILED in 15s',
      ]),
    ).toBe('gradle:checkstyleMain');
    expect(
      logKind([
        'Started by an SCM change',
        "ERROR: Error cloning remote repo 'origin'",
        'Finished: FAILURE',
      ]),
    ).toBe('ci');
    expect(logKind(['+ npm test', 'FAIL src/a.test.ts', 'npm ERR! Test failed.'])).toBe('other');
    expect(logKind(['[INFO] Scanning for projects...', '[ERROR] something else'])).toBe(
      'maven:other',
    );
  });

  it('is the same kind whichever CI system printed the log', () => {
    const c: TriageCase = {
      id: 'demo_1',
      format: 'DEFAULT',
      failLines: [
        '[INFO] start',
        '[ERROR] Failed to execute goal org.apache.maven.plugins:maven-surefire-plugin:2.22.2:test (default-test) on project x',
      ],
      passLines: ['[INFO] start'],
      errorRanges: [{ start: 2, end: 2 }],
      contextRanges: [],
    };
    for (const family of [
      'github-actions-raw',
      'github-actions-full',
      'jenkins',
      'gitlab',
    ] as const)
      expect(logKind(reformatCase(c, family).failLines)).toBe('maven:surefire');
  });
});

describe('caseProject', () => {
  it('is the case id before its last underscore, without a format suffix', () => {
    expect(caseProject('google_auto_693')).toBe('google_auto');
    expect(caseProject('jodatime_1837@jenkins')).toBe('jodatime');
    expect(caseProject('single')).toBe('single');
  });
});
