import { join, resolve } from 'node:path';

/**
 * The datasets vendored in the repository (`<repo>/datasets`), for specs. Services and tools find
 * the same folder through `bundledDatasetsDir()` in `@reverie/service-kit`; this constant avoids
 * loading the service kit (and NestJS) into pure unit tests.
 */
export const BUNDLED_DATASETS_DIR = resolve(__dirname, '..', '..', '..', 'datasets');

/** The CiDiff breakages: twenty labelled failing CI logs. */
export const CI_BREAKAGES_DIR = join(BUNDLED_DATASETS_DIR, 'ci-breakages');
