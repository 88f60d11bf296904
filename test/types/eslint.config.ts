/**
 * A type test, not run: `tsc -p tsconfig.json` (the first step of `npm test`) checks that the
 * plugin's exported types fit every way a user writes an `eslint.config.ts`: ESLint 10's and 9's
 * `defineConfig(...)` and `Linter.Config[]`, and typescript-eslint's `tseslint.config(...)`.
 * A type change that breaks one of them fails the build here, before a user sees it.
 */
import tsParser from '@typescript-eslint/parser';
import type { ESLint, Linter } from 'eslint';
import { defineConfig } from 'eslint/config';
import type { ESLint as ESLint9, Linter as Linter9 } from 'eslint9';
import { defineConfig as defineConfig9 } from 'eslint9/config';
import tseslint from 'typescript-eslint';
import tenantLint from '../../rules/index.js';

const files = ['**/*.ts', '**/*.tsx'];

// ESLint 10
export const eslint10Plugin: ESLint.Plugin = tenantLint;
export const eslint10Array: Linter.Config[] = [{ files, languageOptions: { parser: tsParser } }, tenantLint.configs.recommended];
export const eslint10Define = defineConfig(
  { files, languageOptions: { parser: tsParser } },
  tenantLint.configs.recommended,
  { files, plugins: { 'tenant-lint': tenantLint }, rules: { 'tenant-lint/require-tenant-filter': 'warn' } },
  { files, extends: [tenantLint.configs.recommended] },
);

// ESLint 9
export const eslint9Plugin: ESLint9.Plugin = tenantLint;
export const eslint9Array: Linter9.Config[] = [{ files, languageOptions: { parser: tsParser } }, tenantLint.configs.recommended];
export const eslint9Define = defineConfig9(
  { files, languageOptions: { parser: tsParser } },
  tenantLint.configs.recommended,
  { files, plugins: { 'tenant-lint': tenantLint }, rules: { 'tenant-lint/require-tenant-filter': 'warn' } },
  { files, extends: [tenantLint.configs.recommended] },
);

// typescript-eslint
export const tseslintConfig = tseslint.config(
  ...tseslint.configs.recommended,
  tenantLint.configs.recommended,
  { files, plugins: { 'tenant-lint': tenantLint }, rules: { 'tenant-lint/require-tenant-filter': 'warn' } },
  { files, extends: [tenantLint.configs.recommended], languageOptions: { parserOptions: { projectService: true } } },
);
