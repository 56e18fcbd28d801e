import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError } from '../api.client';
import { refuseExisting, writeOutputs } from './output-file';

describe("writing a run's outputs", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'reverie-outputs-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes every output, replacing what was there', () => {
    writeFileSync(join(dir, 'pb.json'), 'earlier');
    writeOutputs([
      { file: join(dir, 'pb.json'), text: 'playbook' },
      { file: join(dir, 'pb.report.md'), text: 'report' },
    ]);
    expect(readFileSync(join(dir, 'pb.json'), 'utf8')).toBe('playbook');
    expect(readFileSync(join(dir, 'pb.report.md'), 'utf8')).toBe('report');
    expect(readdirSync(dir).sort()).toEqual(['pb.json', 'pb.report.md']);
  });

  it('writes none when one cannot be written, and leaves no temporary file', () => {
    writeFileSync(join(dir, 'pb.json'), 'earlier');
    const write = () =>
      writeOutputs([
        { file: join(dir, 'pb.json'), text: 'playbook' },
        { file: join(dir, 'gone', 'pb.report.md'), text: 'report' },
      ]);
    expect(write).toThrow(CliError);
    expect(write).toThrow(/cannot write the results: ENOENT/);
    expect(readFileSync(join(dir, 'pb.json'), 'utf8')).toBe('earlier');
    expect(readdirSync(dir)).toEqual(['pb.json']);
  });

  it('refuses files an earlier run left unless forced, naming them', () => {
    const files = [join(dir, 'a.json'), join(dir, 'b.json')];
    expect(() => refuseExisting('--out', files[0], files, false)).not.toThrow();
    for (const f of files) writeFileSync(f, '{}');
    expect(() => refuseExisting('--out', files[0], files, false)).toThrow(
      `${files.join(', ')} exist (an earlier run's?); give another name, or --force to replace them`,
    );
    expect(() => refuseExisting('--out', files[0], files, true)).not.toThrow();
    expect(existsSync(files[1])).toBe(true);
  });
});
