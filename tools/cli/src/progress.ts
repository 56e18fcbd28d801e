import { writeStderr } from './heap-worker';

/**
 * A progress line: redrawn in place on a terminal, printed only when it changes otherwise (so
 * logs of CI jobs stay short).
 */
export class Progress {
  private last = '';

  constructor(
    private readonly isTty: boolean,
    private readonly write: (s: string) => void = writeStderr,
  ) {}

  /** True on a terminal, where the line is redrawn in place (so it may change often). */
  get live(): boolean {
    return this.isTty;
  }

  /** `done` of `total` with a bar; with `total` 0 (nothing counted yet) the detail alone. */
  update(done: number, total: number, detail: string): void {
    const line = total === 0 ? detail : `${bar(done / total)} ${done}/${total} ${detail}`;
    if (line === this.last) return;
    this.last = line;
    this.write(this.isTty ? `\r\u001b[2K${line}` : `${line}\n`);
  }

  /** Ends the line on a terminal, so what is written next starts on a line of its own. */
  finish(): void {
    if (this.isTty && this.last) this.write('\n');
    this.last = '';
  }
}

/** A 30-character bar filled to `share` (0 to 1). */
function bar(share: number): string {
  const width = 30;
  const filled = Math.round(share * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

/**
 * Seconds the rest of `total` will take at the pace so far: `done` of them since `startMs`.
 * What the long-running commands say beside their counts ("about N s to go").
 */
export function secondsLeft(startMs: number, nowMs: number, done: number, total: number): number {
  return Math.round((((nowMs - startMs) / done) * (total - done)) / 1_000);
}
