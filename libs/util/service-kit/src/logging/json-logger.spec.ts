import { JsonLogger } from './json-logger';

describe('JsonLogger', () => {
  const capture = (level: 'debug' | 'info' | 'warn' | 'error' = 'info') => {
    const lines: Record<string, unknown>[] = [];
    const logger = new JsonLogger('session-gateway', level, (line) => lines.push(JSON.parse(line)));
    return { logger, lines };
  };

  it('writes one JSON object per line with service, level and context', () => {
    const { logger, lines } = capture();
    logger.log('listening', 'Bootstrap');
    expect(lines).toEqual([
      {
        time: expect.any(String),
        level: 'info',
        service: 'session-gateway',
        context: 'Bootstrap',
        msg: 'listening',
      },
    ]);
  });

  it('keeps the stack of errors and drops levels below the threshold', () => {
    const { logger, lines } = capture('warn');
    logger.debug('noise');
    logger.log('noise');
    logger.error('boom', 'Error: boom\n    at x', 'Ingest');
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'error',
        context: 'Ingest',
        msg: 'boom',
        stack: 'Error: boom\n    at x',
      }),
    ]);
  });
});
