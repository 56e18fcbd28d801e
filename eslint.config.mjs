import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';

const TEST_FILES = ['**/*.spec.ts', '**/*.int-spec.ts', '**/test/**/*.ts'];

/** Which kinds of project may use which, and which domains may see each other. */
function boundaries({ testFiles }) {
  const testing = testFiles ? ['type:testing'] : [];
  // A domain's tests may check its request schemas as a client sees them (@reverie/http's
  // parseOrThrow); its code stays free of utilities.
  const domainTesting = testFiles ? ['type:util'] : [];
  const lower = ['type:data-access', 'type:domain', 'type:contracts', 'type:util'];
  return {
    '@nx/enforce-module-boundaries': [
      'error',
      {
        enforceBuildableLibDependency: true,
        allow: [],
        depConstraints: [
          { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:feature', ...lower, ...testing] },
          { sourceTag: 'type:feature', onlyDependOnLibsWithTags: ['type:feature', ...lower, ...testing] },
          { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: [...lower, ...testing] },
          { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', ...domainTesting, ...testing] },
          { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts', ...testing] },
          { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util', 'type:contracts', ...testing] },
          { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:testing', 'type:feature', ...lower] },
          // Services share only contracts and utilities; each domain sees itself and shared. The
          // grader, the dreamer and the orchestrator also read the sessions domain's collections, through its
          // readers (`read-model:sessions`; the entry point is enforced below).
          { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
          { sourceTag: 'scope:sessions', onlyDependOnLibsWithTags: ['scope:sessions', 'scope:shared', 'scope:gateway'] },
          // Other domains' HTTP libs, served by the gateway (scope:gateway): shared libs and the
          // sessions read model only, so the gateway never carries another service's features.
          // Only the app composes them; no feature lib builds on one.
          { sourceTag: 'scope:gateway', onlyDependOnLibsWithTags: ['scope:shared', 'read-model:sessions'] },
          { sourceTag: 'type:feature', notDependOnLibsWithTags: ['scope:gateway'] },
          // The orchestrator reads a session's status before it runs the session's command.
          { sourceTag: 'scope:orchestration', onlyDependOnLibsWithTags: ['scope:orchestration', 'scope:shared', 'read-model:sessions'] },
          { sourceTag: 'scope:outcomes', onlyDependOnLibsWithTags: ['scope:outcomes', 'scope:shared', 'read-model:sessions'] },
          { sourceTag: 'scope:dreaming', onlyDependOnLibsWithTags: ['scope:dreaming', 'scope:shared', 'read-model:sessions'] },
          // The CLI: shared libs, and the dreaming stages for `reverie dream --offline` (in-process).
          { sourceTag: 'scope:cli', onlyDependOnLibsWithTags: ['scope:shared', 'scope:dreaming', 'read-model:sessions'] },
        ],
      },
    ],
  };
}

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  prettier,
  { ignores: ['**/dist', '**/node_modules', '**/coverage', '.stack', '.nx', 'bench/results'] },
  { files: ['**/*.ts', '**/*.js', '**/*.mjs'], rules: boundaries({ testFiles: false }) },
  // Test code may also use the testing library; production code never can.
  { files: TEST_FILES, rules: boundaries({ testFiles: true }) },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // process.env is read only in config/ (house style); the rule keeps it that way.
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read environment variables only in config/ or scripts.' },
      ],
    },
  },
  // One home per collection: outside the sessions domain, its collections are used only through
  // its readers entry point, never its writers (the gateway is their one writer).
  {
    files: ['libs/**/*.ts', 'apps/**/*.ts'],
    ignores: ['libs/sessions/**', 'libs/playbooks/feature/**', 'apps/session-gateway/**', ...TEST_FILES],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@reverie/sessions-data-access',
              message: 'Outside the sessions domain, import @reverie/sessions-data-access/readers (SessionReader, AgentDreamingRepository); only the gateway writes sessions, events, feedback and agents.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/config/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts', 'libs/testing/**/*.ts', '**/*.spec.ts', '**/*.int-spec.ts', '**/test/**/*.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
];
