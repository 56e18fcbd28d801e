import { normaliseLog } from './log-format';

/**
 * The kind of a failed build: which tool stopped it, and in which step, read from the fail log
 * alone (never from labels). `maven:compiler` for a failed `maven-compiler-plugin` goal,
 * `maven:dependencies` when Maven could not resolve them, `gradle:checkstyleMain` for a failed
 * Gradle task, `ci` when no build tool printed anything (the CI system failed before the build:
 * a clone, an agent), `other` when a build ran but none of these shapes says how it failed.
 *
 * Used to group logs for cross-validation (leave one kind out): logs of one kind share their
 * error lines' shape far more than logs of one project do, so holding out a kind is how a
 * development estimate sees a log of a kind it never learned from.
 */
export function logKind(failLines: readonly string[]): string {
  const lines = normaliseLog(failLines).lines;
  for (const line of lines) {
    // `Failed to execute goal org.apache.maven.plugins:maven-compiler-plugin:3.1:compile (..)`
    const goal = /Failed to execute goal (?:[\w.-]+:)?([\w.-]+):[\w.-]+:[\w-]+/.exec(line);
    if (goal) return `maven:${pluginName(goal[1])}`;
    // `Failed to execute goal on project x: Could not resolve dependencies for project ...`
    if (/Failed to execute goal on project/.test(line))
      return /resolve dependencies|Could not (?:find|transfer) artifact/.test(line)
        ? 'maven:dependencies'
        : 'maven:project';
    // `> Task :cidiff:checkstyleMain FAILED`
    const task = /^> Task (?::[\w.-]+)*:([\w.-]+) FAILED\b/.exec(line);
    if (task) return `gradle:${task[1]}`;
  }
  if (lines.some((l) => /^\[(?:INFO|ERROR|WARNING)\]/.test(l))) return 'maven:other';
  if (lines.some((l) => /^> Task :/.test(l))) return 'gradle:other';
  const tool =
    /^(?:\+ |\$ )?(?:mvn|\.\/mvnw|gradle|\.\/gradlew|npm|yarn|pnpm|go|cargo|make|pytest|python)\b/;
  return lines.some((l) => tool.test(l)) ? 'other' : 'ci';
}

/** `maven-compiler-plugin` -> `compiler`, `spoon-maven-plugin` -> `spoon`, `pitest-maven` -> `pitest`. */
function pluginName(artifactId: string): string {
  return (
    artifactId
      .replace(/-?maven-?/g, '-')
      .replace(/-?plugin$/, '')
      .replace(/^-+|-+$/g, '') || artifactId
  );
}

/** The project of a case id: what comes before its last `_` (`google_auto_693` -> `google_auto`). */
export function caseProject(caseId: string): string {
  const base = caseId.split('@')[0];
  const i = base.lastIndexOf('_');
  return i > 0 ? base.slice(0, i) : base;
}
