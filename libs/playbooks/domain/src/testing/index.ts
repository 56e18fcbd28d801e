// Test helpers for @reverie/playbooks-domain. Deliberately not exported from the library's
// index.ts, so production code cannot import them.
export * from './deep-freeze';
export * from './playbook.builders';
