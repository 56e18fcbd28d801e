import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../testing/run-cli';

describe('reverie playbook arguments', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reverie-playbook-'));

  it.each([
    [['playbook', '--out', join(dir, 'a.json')], /playbook needs --agent <agent id>/],
    [['playbook', '--agent', 'agt_1'], /playbook needs --out <file.json>/],
    [['playbook', 'get', '--agent', 'agt_1'], /playbook: unexpected argument "get"/],
    [['playbook', '--agent', 'agt_1', '--cases', 'x'], /playbook takes no --cases/],
  ])('%j is a usage error with a usage line', async (argv, message) => {
    const result = await runCli(...argv);
    expect(result.code).toBe(2);
    expect(result.out).toMatch(message);
    expect(result.out).toMatch(/usage: reverie playbook[\s\S]*--role <role>/);
  });

  it('refuses, before asking the gateway, a file an earlier run left or a folder that is missing', async () => {
    const earlier = join(dir, 'earlier.json');
    writeFileSync(earlier, '{"entries": []}');
    // No gateway listens on port 1: a refusal here was made before any request.
    const url = ['--url', 'http://127.0.0.1:1', '--key', 'rvk_x'];
    const existing = await runCli('playbook', '--agent', 'agt_1', '--out', earlier, ...url);
    expect(existing).toMatchObject({ code: 2 });
    expect(existing.out).toMatch(/exists \(an earlier run's\?\); give another name, or --force/);
    const missing = await runCli(
      'playbook',
      '--agent',
      'agt_1',
      '--out',
      join(dir, 'none', 'x.json'),
      ...url,
    );
    expect(missing).toMatchObject({ code: 2 });
    expect(missing.out).toMatch(/the folder .* does not exist/);
  });
});
