import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// bulletproof-react's layering: shared code never reaches into features or the app, features never into the
// app or each other; app/routes compose features.
const features = ['auth', 'filter', 'flows', 'health', 'networks', 'sources', 'stats'];
const zones = [
  ...features.map((feature) => ({
    target: `./src/features/${feature}`,
    from: './src/features',
    except: [`./${feature}`],
    message: 'Features do not import each other: compose them in src/app/routes.',
  })),
  { target: './src/features', from: './src/app', message: 'Features do not import from the app.' },
  {
    target: ['./src/components', './src/lib', './src/types', './src/config', './src/testing'],
    from: ['./src/features', './src/app'],
    message: 'Shared code does not import features or the app.',
  },
];

export default tseslint.config(
  { ignores: ['node_modules', 'src/types/openapi.gen.ts'] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  reactHooks.configs.flat.recommended,
  {
    languageOptions: {
      globals: { ...globals.browser, ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: {
      // import-x reads the imported files to follow cycles: with the TypeScript parser, for .ts and .tsx too.
      'import-x/extensions': ['.js', '.ts', '.tsx'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones }],
      'import-x/no-cycle': 'error',
      'import-x/no-unresolved': 'error',
      'import-x/no-duplicates': 'error',
    },
  },
  { files: ['eslint.config.js'], extends: [tseslint.configs.disableTypeChecked] },
  prettier,
);
