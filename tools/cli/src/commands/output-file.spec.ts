import { execFileSync } from 'node:child_process';
import {
  existsSync,
  linkSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError } from '../api.client';
import { checkOutputFile, refuseExisting, writeOutputs } from './output-file';

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

  it("not replacing: places every output, or none when one appeared meanwhile, keeping this run's", () => {
    const outputs = [
      { file: join(dir, 'pb.json'), text: 'playbook' },
      { file: join(dir, 'pb.report.md'), text: 'report' },
    ];
    writeOutputs(outputs, { replace: false });
    expect(readdirSync(dir).sort()).toEqual(['pb.json', 'pb.report.md']);
    expect(readFileSync(join(dir, 'pb.json'), 'utf8')).toBe('playbook');

    // Another run (same --out) wrote its report while this one worked: nothing of it is replaced,
    // the playbook this run had placed is taken back, and the message says where its results are.
    rmSync(join(dir, 'pb.json'));
    writeFileSync(join(dir, 'pb.report.md'), "the other run's");
    const write = () => writeOutputs(outputs, { replace: false });
    expect(write).toThrow(CliError);
    const temps = [`.pb.json.${process.pid}.tmp`, `.pb.report.md.${process.pid}.tmp`];
    expect(write).toThrow(
      `cannot write ${join(dir, 'pb.report.md')}: it appeared while this run worked (another run with the same --out?), and is left as it is; this run's results are in ${temps.map((t) => join(dir, t)).join(', ')}`,
    );
    expect(readdirSync(dir).sort()).toEqual([...temps, 'pb.report.md'].sort());
    expect(readFileSync(join(dir, 'pb.report.md'), 'utf8')).toBe("the other run's");
    expect(readFileSync(join(dir, temps[0]), 'utf8')).toBe('playbook');
    expect(readFileSync(join(dir, temps[1]), 'utf8')).toBe('report');
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

  it('refuses an output that is not a regular file, which the write would replace', () => {
    // A named pipe stands for /dev/null: a rename into place would leave a regular file there.
    const pipe = join(dir, 'pipe');
    execFileSync('mkfifo', [pipe]);
    expect(() => checkOutputFile('--out', pipe, pipe, [], true)).toThrow(
      `--out ${pipe} is not a regular file (a device, a pipe or a socket); give a file name`,
    );
    // Written into rather than renamed over (land --svg /dev/stdout): nothing is replaced.
    expect(() => checkOutputFile('--svg', pipe, pipe, [])).not.toThrow();
    expect(statSync(pipe).isFIFO()).toBe(true);
  });

  it('refuses, before the run, a folder it cannot create a file in, whatever its permission bits say', () => {
    // Root passes every permission check, yet nothing can be created in /proc.
    expect(() => checkOutputFile('--out', '/proc/pb.json', '/proc/pb.json', [], true)).toThrow(
      /^--out \/proc\/pb\.json: cannot write/,
    );
    // A folder it can write in: the probe leaves nothing behind.
    checkOutputFile('--out', join(dir, 'pb.json'), join(dir, 'pb.json'), [], true);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses an output that is a hard link to an input', () => {
    const input = join(dir, 'scenarios.json');
    writeFileSync(input, '[]');
    const other = join(dir, 'out.json');
    linkSync(input, other);
    expect(() =>
      checkOutputFile('--out', other, other, [{ path: input, label: `--scenarios ${input}` }]),
    ).toThrow(`is an input of this run (--scenarios ${input}); give another name`);
    writeFileSync(join(dir, 'free.json'), '{}');
    expect(() =>
      checkOutputFile('--out', join(dir, 'free.json'), join(dir, 'free.json'), [
        { path: input, label: 'x' },
      ]),
    ).not.toThrow();
  });
});
