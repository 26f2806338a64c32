// Type-aware linting: catches floating promises, conditions that are always
// true or false, and switches that miss a case — the bugs a security product
// cannot afford to ship. Plus the rules that keep ARCHITECTURE.md's promises:
// regexes that cannot blow up on untrusted input, no import cycle, and a core
// that runs on Workers, Deno and Bun (no `node:*` outside its Node adapters).
// Import cycles that go through `import type` are caught by
// test/import-cycles.test.ts: import-x/no-cycle ignores type-only imports.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import { flatConfigs as importX } from 'eslint-plugin-import-x';
import regexp from 'eslint-plugin-regexp';
import tseslint from 'typescript-eslint';

/** Node built-ins by their bare names (`fs`, `fs/promises`…); `node:*` is a pattern below. */
const NODE_BUILTINS = builtinModules.filter((m) => !m.startsWith('_'));

const NOT_IN_CORE =
  'core runs on Workers, Deno and Bun: Node built-ins belong in src/adapters/{node,node-headers,express,fastify,koa}.ts';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/.next/**',
      // Build caches (the Next test app's builds): copies, not sources.
      '.cache/**',
      'eslint.config.js',
      // Fixtures are data (foreign configs, captured responses), not our code.
      'packages/*/test/fixtures/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  regexp.configs['flat/recommended'],
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX.recommended.plugins['import-x'] },
    settings: {
      // Specifiers carry their `.ts` extension; workspace packages resolve
      // through node_modules links to their `exports`.
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-confusing-void-expression': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // Header-injection checks match control bytes on purpose.
      'no-control-regex': 'off',
      'no-misleading-character-class': 'error',
      // Untrusted input (headers, configs, scanned pages) meets these
      // regexes: exponential or polynomial backtracking is a DoS.
      'regexp/no-super-linear-backtracking': ['error', { report: 'potential' }],
      'regexp/no-useless-flag': 'error',
      'regexp/no-empty-alternative': 'error',
      'import-x/no-cycle': ['error', { ignoreExternal: false }],
    },
  },
  {
    // A function that needs a scroll wants named steps (STYLE.md): the
    // guard behind "no function in src over 120 lines".
    files: ['packages/*/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'max-lines-per-function': ['error', { max: 120, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    // Source regexes meet untrusted input; an unanchored pattern that can
    // fail at every start position is quadratic on a long header or page.
    files: ['packages/*/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { 'regexp/no-super-linear-move': 'error' },
  },
  {
    // Core runs on Workers, Deno and Bun: Node built-ins only in the adapters
    // for Node frameworks and the file reader (listed in the next block).
    files: ['packages/core/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: NODE_BUILTINS.map((name) => ({ name, message: NOT_IN_CORE })),
          patterns: [{ group: ['node:*'], message: NOT_IN_CORE }],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'Buffer', message: 'Not on Workers/Deno: use Uint8Array and TextEncoder.' },
        { name: 'process', message: 'Not on Workers: take the value as an option.' },
        { name: 'require', message: 'ESM only.' },
        { name: '__dirname', message: 'ESM only: use import.meta.' },
      ],
    },
  },
  {
    files: [
      'packages/core/src/adapters/node.ts',
      'packages/core/src/adapters/node-headers.ts',
      'packages/core/src/adapters/express.ts',
      'packages/core/src/adapters/fastify.ts',
      'packages/core/src/adapters/koa.ts',
      // The file reader is Node-only by nature: its own subpath, `@barbican/core/files`.
      'packages/core/src/files.ts',
    ],
    rules: { 'no-restricted-imports': 'off', 'no-restricted-globals': 'off' },
  },
  {
    // Plain-JavaScript launchers (the CLI's bin) must parse on any Node, so
    // they are not TypeScript and not in the type-checked program.
    files: ['packages/*/src/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'module',
      globals: { process: 'readonly', URL: 'readonly' },
    },
  },
  {
    // node:test tracks the promises describe() and it() return; test helpers
    // under test/ call them the same way.
    files: ['**/*.test.ts', 'packages/*/test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-floating-promises': 'off',
    },
  },
);
