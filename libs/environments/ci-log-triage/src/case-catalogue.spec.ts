import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
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

  it('lists a link to a case folder as a case, and a file or a broken link as none', () => {
    const root = mkdtempSync(join(tmpdir(), 'linked-datasets-'));
    const elsewhere = join(root, 'elsewhere');
    mkdirSync(join(elsewhere, 'real_1'), { recursive: true });
    mkdirSync(join(root, 'ci-breakages', 'plain_2'), { recursive: true });
    symlinkSync(join(elsewhere, 'real_1'), join(root, 'ci-breakages', 'linked_1'));
    symlinkSync(join(elsewhere, 'gone'), join(root, 'ci-breakages', 'broken_3'));
    writeFileSync(join(root, 'ci-breakages', 'notes_4'), 'x');
    expect([...CaseCatalogue.list(root).ids]).toEqual(['linked_1', 'plain_2']);
  });
});

describe('isCaseIdShape', () => {
  it('takes folder names only', () => {
    expect(isCaseIdShape('google_auto_693')).toBe(true);
    for (const id of ['..', '.git', 'a..b', 'a/b', '', 'x'.repeat(129)])
      expect(isCaseIdShape(id)).toBe(false);
  });
});
