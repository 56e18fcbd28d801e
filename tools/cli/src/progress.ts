/**
 * A progress line: redrawn in place on a terminal, printed only when it changes otherwise (so
 * logs of CI jobs stay short).
 */
export class Progress {
  private last = '';

  constructor(
    private readonly isTty: boolean,
    private readonly write: (s: string) => void = (s) => process.stderr.write(s),
  ) {}

  update(done: number, total: number, detail: string): void {
    const width = 30;
    const filled = total === 0 ? width : Math.round((done / total) * width);
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${detail}`;
    if (line === this.last) return;
    this.last = line;
    this.write(this.isTty ? `\r\u001b[2K${line}` : `${line}\n`);
  }

  finish(): void {
    if (this.isTty && this.last) this.write('\n');
  }
}
