import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';

/** Where the operator console is served (its Vite build is made with this base). */
export const CONSOLE_PATH = '/console';

/**
 * Serves the operator console's built bundle (apps/console, `npx nx build console`) as static
 * files under /console. The console is a client of the public API only (same origin, so no CORS);
 * it routes with the URL hash, so every page is /console/index.html. When the bundle is missing
 * the gateway still starts, and /console says how to build it instead of a bare 404.
 */
export function serveConsole(app: NestExpressApplication, dir: string): void {
  const index = join(dir, 'index.html');
  const http = app.getHttpAdapter().getInstance();
  // Relative asset URLs need the trailing slash (Express would match /console/ here too).
  http.use(CONSOLE_PATH, (req: Request, res: Response, next: NextFunction) =>
    req.originalUrl.split('?')[0] === CONSOLE_PATH ? res.redirect(301, `${CONSOLE_PATH}/`) : next(),
  );
  if (!existsSync(index)) {
    // The server's own paths stay in its log, never in a response anyone can fetch.
    new Logger('Console').warn(`the console is not built: no ${index}`);
    http.use(CONSOLE_PATH, (_req: Request, res: Response) => {
      res
        .status(404)
        .type('text/plain')
        .send(
          'the console is not built on this server; build it with: npx nx build console ' +
            '(the gateway serves the directory CONSOLE_DIR names)\n',
        );
    });
    return;
  }
  app.useStaticAssets(dir, {
    prefix: `${CONSOLE_PATH}/`,
    index: 'index.html',
    // Hashed asset names change with their content; the page itself is always revalidated.
    setHeaders: (res, path) =>
      res.setHeader(
        'cache-control',
        path.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable',
      ),
  });
  http.use(CONSOLE_PATH, (_req: Request, res: Response, _next: NextFunction) =>
    res.status(404).type('text/plain').send('no such console file\n'),
  );
}
