import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';

const TEST_FILES = ['**/*.spec.ts', '**/*.int-spec.ts', '**/test/**/*.ts'];

/** Which kinds of project may use which, and which domains may see each other. */
function boundaries({ testFiles }) {
  const testing = testFiles ? ['type:testing'] : [];
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
          { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', ...testing] },
          { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts', ...testing] },
          { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util', 'type:contracts', ...testing] },
          { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:testing', 'type:feature', ...lower] },
          // Services share only contracts and utilities; each domain sees itself and shared.
          { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
          { sourceTag: 'scope:sessions', onlyDependOnLibsWithTags: ['scope:sessions', 'scope:shared'] },
          { sourceTag: 'scope:orchestration', onlyDependOnLibsWithTags: ['scope:orchestration', 'scope:shared'] },
          { sourceTag: 'scope:outcomes', onlyDependOnLibsWithTags: ['scope:outcomes', 'scope:shared'] },
          { sourceTag: 'scope:dreaming', onlyDependOnLibsWithTags: ['scope:dreaming', 'scope:shared'] },
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
  {
    files: ['**/config/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts', 'libs/testing/**/*.ts', '**/*.spec.ts', '**/*.int-spec.ts', '**/test/**/*.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
];
