import { relative } from 'node:path';
import tsParser from '@typescript-eslint/parser';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import plugin from '../../rules/index.js';
import { clearEditorCache } from '../../src/project/editor-cache.js';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

/*
 * A core package whose index re-exports a sibling package's types first (`export * from
 * '@acme/common/lib/types'`, built output the checkout does not have) and its own barrels after, with plugins importing the connection wrapper
 * and the entities from it (Vendure's shape: every plugin's query was invisible, because the type
 * was taken to come from the first package re-exported). And a plugin nested in an app whose
 * package.json lists no dependency, naming the core only in its entity files' imports.
 */

const { makeProject } = useScratch();

const CONNECTION = `import { DataSource, ObjectLiteral, EntityTarget, Repository } from 'typeorm';
export class TransactionalConnection {
  constructor(private dataSource: DataSource) {}
  get rawConnection(): DataSource { return this.dataSource; }
  getRepository<E extends ObjectLiteral>(ctx: { channelId: number } | undefined, target: EntityTarget<E>): Repository<E> {
    return this.rawConnection.getRepository(target);
  }
}
`;

function monorepo(pluginFiles: Record<string, string>, pluginPackage: object): string {
  return makeProject({
    'package.json': JSON.stringify({ name: 'mono', private: true, workspaces: ['packages/*', 'packages/app/plugins/*'] }),
    'tenant-lint.config.json': JSON.stringify({ tenantRoot: 'Channel' }),
    'packages/common/package.json': JSON.stringify({ name: '@acme/common', main: 'dist/index.js' }),
    'packages/common/src/types.ts': 'export type ID = string | number;\nexport interface Paginated<T> { items: T[] }\n',
    'packages/core/package.json': JSON.stringify({ name: '@acme/core', main: 'dist/index.js', dependencies: { typeorm: '^0.3.20', '@acme/common': '*' } }),
    'packages/core/src/index.ts': "export * from '@acme/common/lib/types';\nexport * from './api/index';\nexport * from './connection/index';\nexport * from './entity/index';\n",
    'packages/core/src/api/index.ts': "export * from './resolvers';\nexport * from '../index';\n",
    'packages/core/src/api/resolvers.ts': 'export const resolvers = {};\n',
    'packages/core/src/connection/index.ts': "export * from './transactional-connection';\n",
    'packages/core/src/connection/transactional-connection.ts': CONNECTION,
    'packages/core/src/entity/index.ts': "export * from './channel.entity';\nexport * from './product.entity';\n",
    'packages/core/src/entity/channel.entity.ts': "import { Entity, PrimaryGeneratedColumn, Column } from 'typeorm';\n@Entity()\nexport class Channel { @PrimaryGeneratedColumn() id: number; @Column() code: string; }\n",
    'packages/core/src/entity/product.entity.ts':
      "import { Entity, PrimaryGeneratedColumn, Column, ManyToOne, Index } from 'typeorm';\nimport { Channel } from './channel.entity';\n@Entity()\n@Index(['channelId'])\nexport class Product { @PrimaryGeneratedColumn() id: number; @Column() channelId: number; @ManyToOne(() => Channel) channel: Channel; @Column() name: string; }\n",
    'packages/plugin/package.json': JSON.stringify(pluginPackage),
    ...pluginFiles,
  });
}

const SERVICE = `import { Product, TransactionalConnection } from '@acme/core';
export class PluginService {
  constructor(private connection: TransactionalConnection) {}
  mine(ctx: { channelId: number }) { return this.connection.getRepository(ctx, Product).find({ where: { channelId: ctx.channelId } }); }
  byId(ctx: { channelId: number }, id: number) { return this.connection.getRepository(ctx, Product).findOne({ where: { id } }); }
  raw(id: number) { return this.connection.rawConnection.getRepository(Product).findOne({ where: { id } }); }
}
`;

async function lintLines(dir: string): Promise<string[]> {
  clearEditorCache();
  const eslint = new ESLint({
    cwd: dir,
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tsParser } }, plugin.configs.recommended],
  });
  const out: string[] = [];
  for (const result of await eslint.lintFiles(['packages/plugin/src/**/*.ts'])) {
    for (const m of result.messages) if (m.ruleId === 'tenant-lint/require-tenant-filter') out.push(`${relative(dir, result.filePath).split('\\').join('/')}:${m.line}`);
  }
  return out.sort();
}

describe('a plugin importing the core through its package index', () => {
  it('traces the connection wrapper and the entity through the barrels: the scoped read passes, the reads by id are reported, by both faces', async () => {
    const dir = monorepo({ 'packages/plugin/src/service.ts': SERVICE }, { name: '@acme/plugin', main: 'dist/index.js', devDependencies: { '@acme/core': '*' } });
    const result = await scan({ path: dir });
    const lines = result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file}:${f.line}`).sort();
    expect(lines).toEqual(['packages/plugin/src/service.ts:5', 'packages/plugin/src/service.ts:6']);
    expect(result.coverage.notTraced).toBe(0);
    expect(await lintLines(dir)).toEqual(lines);
  });
});

describe('a plugin package that lists no dependency but whose entities import the core', () => {
  const entity = "import { Entity, PrimaryGeneratedColumn, Column, ManyToOne } from 'typeorm';\nimport { Product } from '@acme/core';\n@Entity()\nexport class Review { @PrimaryGeneratedColumn() id: number; @ManyToOne(() => Product) product: Product; @Column() productId: number; @Column() text: string; }\n";
  const service = "import { TransactionalConnection } from '@acme/core';\nimport { Review } from './review.entity';\nexport class Reviews {\n  constructor(private connection: TransactionalConnection) {}\n  byId(ctx: { channelId: number }, id: number) { return this.connection.getRepository(ctx, Review).findOne({ where: { id } }); }\n}\n";
  it('classifies its tables against the core it imports: a child of Product, analysed, no fail-closed', async () => {
    const dir = monorepo({ 'packages/plugin/src/review.entity.ts': entity, 'packages/plugin/src/reviews.ts': service }, { name: 'reviews-plugin', main: 'dist/index.js' });
    const result = await scan({ path: dir });
    expect(result.coverage.verdict).not.toBe('NONE');
    expect(result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file}:${f.line}`)).toEqual(['packages/plugin/src/reviews.ts:5']);
  });
  it('twin: entities importing nothing of the core stay a project without a tenant root, which fails closed naming `tenantRoot`', async () => {
    const dir = monorepo(
      { 'packages/plugin/src/review.entity.ts': "import { Entity, PrimaryGeneratedColumn, Column } from 'typeorm';\n@Entity()\nexport class Review { @PrimaryGeneratedColumn() id: number; @Column() productId: number; @Column() text: string; }\n", 'packages/plugin/src/reviews.ts': service },
      { name: 'reviews-plugin', main: 'dist/index.js' },
    );
    const result = await scan({ path: dir });
    expect(result.coverage.verdict).toBe('NONE');
    expect(JSON.stringify(result.coverage)).toContain('tenantRoot');
  });
});
