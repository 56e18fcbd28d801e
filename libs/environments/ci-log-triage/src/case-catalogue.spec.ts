import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLED_DATASETS_DIR } from '@reverie/testing';
import { CaseCatalogue, isCaseIdShape } from './case-catalogue';

describe('CaseCatalogue', () => {
  it("lists the bundled dataset's case folders, and no prototype key is a case", () => {
    const catalogue = CaseCatalogue.list(BUNDLED_DATASETS_DIR);
    expect(catalogue.ids.size).toBe(20);
    expect(catalogue.has('assertj_1944')).toBe(true);
    for (const id of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'LICENSE'])
      expect(catalogue.has(id)).toBe(false);
  });

  it('tells the tenant the case ids, never the folder they were read from', () => {
    const message = CaseCatalogue.list(BUNDLED_DATASETS_DIR).unknown('constructor');
    expect(message).toMatch(
      /^no case "constructor" in the ci-log-triage dataset; its cases are assertj_1944, astor_1278, /,
    );
    expect(message).not.toContain(BUNDLED_DATASETS_DIR);
  });

  it('fails, naming the folder and DATASETS_DIR, when there is no dataset to list', () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-datasets-'));
    expect(() => CaseCatalogue.list(empty)).toThrow(
      new RegExp(
        `^cannot list the ci-breakages dataset at ${empty}/ci-breakages: .*set DATASETS_DIR`,
      ),
    );
    mkdirSync(join(empty, 'ci-breakages'));
    expect(() => CaseCatalogue.list(empty)).toThrow(/holds no case folders/);
  });
});

describe('isCaseIdShape', () => {
  it('takes folder names only', () => {
    expect(isCaseIdShape('google_auto_693')).toBe(true);
    for (const id of ['..', '.git', 'a..b', 'a/b', '', 'x'.repeat(129)])
      expect(isCaseIdShape(id)).toBe(false);
  });
});
