import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.data/**', '.tools/**', 'eslint.config.js', '**/*.cjs'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // External packages are not ours to untangle (and @azure/msal-common trips the resolver).
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      // Fastify handlers and interface implementations are async by contract, with or without an await.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Tests read JSON answers whose shape is what they assert.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // Workflow code is replayed: it must stay deterministic. It imports the Temporal workflow API, its own files,
    // the deterministic part of the domain, and the activities as a type (to proxy them); nothing else.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex:
                '^(?!@temporalio/(workflow|common)$|\\./|\\.\\./domain/(?!naming\\.)|\\.\\./activities/)',
              message:
                'Workflows must be deterministic: they import only the Temporal workflow API, workflows/ and ' +
                'domain/ (not its naming rules, which hash with node:crypto).',
            },
            {
              regex: '^\\.\\./activities/',
              allowTypeImports: true,
              message: 'Workflows proxy activities: they import only their types.',
            },
          ],
        },
      ],
    },
  },
  {
    // The domain is loaded by workflows: plain data and pure functions, importing nothing but itself. The naming
    // rules need a hash (node:crypto), so workflows never import that one file.
    files: ['domain/**/*.ts'],
    ignores: ['domain/naming.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^(?!\\./)', message: 'The domain imports nothing but itself: workflows load it.' },
          ],
        },
      ],
    },
  },
);
