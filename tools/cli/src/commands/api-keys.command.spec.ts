import { runCli } from '../testing/run-cli';

describe('reverie api-keys arguments', () => {
  const run = runCli;

  it.each([
    [['api-keys'], /api-keys takes create, list or revoke/],
    [['api-keys', 'rotate'], /api-keys takes create, list or revoke/],
    [['api-keys', 'create'], /api-keys create needs --name <label>/],
    [['api-keys', 'create', '--name', 'x', '--scope', 'root'], /--scope must be admin, not "root"/],
    [['api-keys', 'revoke'], /api-keys revoke needs the key id/],
  ])('%j is a usage error with a usage line', async (argv, message) => {
    const result = await run(...argv);
    expect(result.code).toBe(2);
    expect(result.out).toMatch(message);
    expect(result.out).toMatch(
      /usage: reverie[\s\S]*api-keys create --name <label> \[--scope admin\]/,
    );
  });
});
