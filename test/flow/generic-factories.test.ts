// Coverage, session 19 (issue 16; jitsu's `db = { pgPool: getSingleton<Pool>('pg', createPg), prisma:
// getSingleton<PrismaClient>('prisma', createPrisma) }`): a generic memoiser whose body keeps the value
// in `global[...]` and hands it back `as T` says by its signature what it gives: `factory: () => T |
// Promise<T>` and a return type `Singleton<T>` whose call signature is `(): T`, so `db.pgPool()` is
// what `createPg` returns. Each client's safe query beside its unscoped twin; a memoiser whose type
// does not tie the factory to what it returns stays not traced.
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';
import { bothFaces } from '../parity/faces.js';

const { makeProject } = useScratch();

type Result = Awaited<ReturnType<typeof scan>>;

function filterSites(result: Result): string[] {
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file}:${f.line} ${f.severity}`).sort();
}

const PRISMA_SCHEMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}
model Workspace {
  id      String   @id
  streams Stream[]
}
model Stream {
  id          String    @id
  workspaceId String
  workspace   Workspace @relation(fields: [workspaceId], references: [id])
  name        String
  @@index([workspaceId, id])
}
`;

/** jitsu's libs/juava/src/singleton.ts, reduced: the value lives in `global`, typed only by `T`. */
function singleton(returnType: string, declared: string): string {
  return [
    `export interface Singleton<T> {`,
    `  (): T;`,
    `  waitInit: () => Promise<T>;`,
    `}`,
    `export type Lazy<T> = () => T;`,
    `export function getSingleton<T>(globalName: string, factory: () => T | Promise<T>${declared}): ${returnType} {`,
    `  const cached = global[\`singletons_\${globalName}\`] as { value: T } | undefined;`,
    `  if (cached) {`,
    `    const result = () => cached.value as T;`,
    `    result.waitInit = () => Promise.resolve(cached.value as T);`,
    `    return result as Singleton<T>;`,
    `  }`,
    `  const pending = Promise.resolve(factory()).then((value) => { global[\`singletons_\${globalName}\`] = { value }; return value; });`,
    `  const result = () => { throw new Error(\`\${globalName} is not ready\`); };`,
    `  result.waitInit = () => pending;`,
    `  return result as Singleton<T>;`,
    `}`,
    '',
  ].join('\n');
}

const DB = [
  `import { PrismaClient } from '@prisma/client';`,
  `import { Pool } from 'pg';`,
  `import { getSingleton } from './singleton';`,
  `export function createPg(): Pool {`,
  `  const pool = new Pool({ connectionString: process.env.DATABASE_URL });`,
  `  return pool;`,
  `}`,
  `function createPrisma(): PrismaClient {`,
  `  return new PrismaClient();`,
  `}`,
  `export const db = {`,
  `  prisma: getSingleton<PrismaClient>('prisma', createPrisma),`,
  `  pgPool: getSingleton<Pool>('pg', createPg),`,
  `} as const;`,
  '',
].join('\n');

const STREAMS = [
  `import { db } from './db';`,
  `export async function streams(workspaceId: string) {`,
  `  return db.prisma().stream.findMany({ where: { workspaceId } });`,
  `}`,
  `export async function streamsEverywhere() {`,
  `  return db.prisma().stream.findMany();`,
  `}`,
  `export async function names(workspaceId: string) {`,
  `  return db.pgPool().query('select name from "Stream" where "workspaceId" = $1', [workspaceId]);`,
  `}`,
  `export async function namesEverywhere() {`,
  `  return db.pgPool().query('select name from "Stream"');`,
  `}`,
  '',
].join('\n');

const ROUTES = [
  `import { Router } from 'express';`,
  `import * as streams from './streams';`,
  `export const router = Router();`,
  `router.get('/a', async (req, res) => { res.json(await streams.streams(req.user.workspaceId)); });`,
  `router.get('/b', async (req, res) => { res.json(await streams.streamsEverywhere()); });`,
  `router.get('/c', async (req, res) => { res.json(await streams.names(req.user.workspaceId)); });`,
  `router.get('/d', async (req, res) => { res.json(await streams.namesEverywhere()); });`,
  '',
].join('\n');

function project(singletonSource: string): string {
  return makeProject({
    'package.json': JSON.stringify({ dependencies: { express: '^5.1.0', pg: '^8.11.0', '@prisma/client': '^5.0.0' } }),
    'prisma/schema.prisma': PRISMA_SCHEMA,
    'src/singleton.ts': singletonSource,
    'src/db.ts': DB,
    'src/streams.ts': STREAMS,
    'src/routes.ts': ROUTES,
  });
}

describe('a generic memoiser read from its signature', () => {
  it('`db.pgPool()` / `db.prisma()` of `getSingleton<T>(name, factory: () => T | Promise<T>): Singleton<T>`: analysed, the unscoped twins errors', async () => {
    const dir = project(singleton('Singleton<T>', ''));
    const result = await scan({ path: dir });
    expect(result.coverage.notTracedSites).toEqual([]);
    expect(result.coverage).toMatchObject({ seen: 4, analysed: 4, scoped: 2, unscoped: 2, schemaMatched: 0, notTraced: 0 });
    expect(filterSites(result)).toEqual(['src/streams.ts:12 error', 'src/streams.ts:6 error']);
    const faces = await bothFaces(dir, 'require-tenant-filter');
    expect(faces.eslint).toEqual(faces.scanner);
  });

  it('an alias of a function type (`Lazy<T> = () => T`) is read the same way', async () => {
    const dir = project(singleton('Lazy<T>', ''));
    const result = await scan({ path: dir });
    expect(result.coverage).toMatchObject({ seen: 4, analysed: 4, scoped: 2, unscoped: 2, schemaMatched: 0, notTraced: 0 });
    expect(filterSites(result)).toEqual(['src/streams.ts:12 error', 'src/streams.ts:6 error']);
  });

  it('twin: a return type that does not tie the call to the factory (`any`) stays not traced', async () => {
    const dir = project(singleton('any', ''));
    const result = await scan({ path: dir });
    // Prisma's calls are still recognised by the model they name (schema-matched), pg's are not traced.
    expect(result.coverage).toMatchObject({ seen: 4, analysed: 2, schemaMatched: 2, notTraced: 2 });
    expect(result.coverage.notTracedSites.map((s) => s.line)).toEqual([9, 12]);
    expect(result.coverage.notTracedSites[0]?.reason).toMatch(/`db\.pgPool\(\)` is not traced to a SQL client/);
  });
});
