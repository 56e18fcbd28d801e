import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * What the packaging must agree with, read from the repository itself (so a new app, a changed
 * default port or a moved health endpoint fails the packaging specs instead of drifting).
 */
export const REPO_ROOT = resolve(__dirname, '../../..');

/** The deployable services: every app under apps/ whose main.ts starts a service (`runService`). */
export function serviceApps(): string[] {
  const appsDir = join(REPO_ROOT, 'apps');
  return readdirSync(appsDir)
    .filter((name) => {
      const main = join(appsDir, name, 'src', 'main.ts');
      return existsSync(main) && readFileSync(main, 'utf8').includes('runService(');
    })
    .sort();
}

/** An app's default HTTP port, as its config declares it (`PORT: envInt(...).default(3001)`). */
export function defaultPort(app: string): number {
  const configDir = join(REPO_ROOT, 'apps', app, 'src', 'config');
  for (const file of readdirSync(configDir).filter((f) => !f.includes('.spec.'))) {
    const match = /PORT:\s*envInt\([^)]*\)\.default\((\d+)\)/.exec(
      readFileSync(join(configDir, file), 'utf8'),
    );
    if (match) return Number(match[1]);
  }
  throw new Error(`no default PORT found in apps/${app}/src/config`);
}

/** The health endpoints every service serves (service-kit's HealthController). */
export function healthPaths(): { live: string; ready: string } {
  const source = readFileSync(
    join(REPO_ROOT, 'libs/util/service-kit/src/health/health.controller.ts'),
    'utf8',
  );
  const base = /@Controller\('([^']+)'\)/.exec(source)?.[1];
  const gets = [...source.matchAll(/@Get\('([^']+)'\)/g)].map((m) => m[1]);
  if (!base || !gets.includes('live') || !gets.includes('ready')) {
    throw new Error('HealthController no longer serves live and ready');
  }
  return { live: `/${base}/live`, ready: `/${base}/ready` };
}

/**
 * An app's compiled entry point inside its image, where the Dockerfile copies the build output
 * `dist/apps/<app>` to `/app/dist`: the build compiles from the repository root (rootDir ../../),
 * so main.ts lands at `dist/apps/<app>/apps/<app>/src/main.js`.
 */
export function builtMain(app: string): string {
  const tsconfig = JSON.parse(
    readFileSync(join(REPO_ROOT, 'apps', app, 'tsconfig.app.json'), 'utf8'),
  );
  const { outDir, rootDir } = tsconfig.compilerOptions ?? {};
  if (outDir !== `../../dist/apps/${app}` || rootDir !== '../../') {
    throw new Error(
      `apps/${app}/tsconfig.app.json no longer builds into dist/apps/${app} from the root`,
    );
  }
  return `dist/apps/${app}/src/main.js`;
}
