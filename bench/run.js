// Scan throughput on a generated monorepo: `npm run bench` (after `npm run build`).
// BENCH_FILES (default 10000) TypeScript files across 20 packages, each with a Prisma schema.
// Prints files/s; never part of the test suite (no timed tests).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scan } from '../dist/src/scan/scan.js';

const total = Number(process.env.BENCH_FILES ?? 10_000);
const packages = 20;
const root = mkdtempSync(join(tmpdir(), 'tenant-lint-bench-'));
const schema = `datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\nmodel Organization {\n  id String @id\n}\n${Array.from(
  { length: 30 },
  (_, i) => `model Thing${i} {\n  id String @id\n  orgId String\n  org Organization @relation(fields: [orgId], references: [id])\n  name String\n  @@index([orgId])\n}\n`,
).join('')}`;

for (let p = 0; p < packages; p++) {
  const dir = join(root, 'packages', `pkg${p}`);
  mkdirSync(join(dir, 'src', 'lib'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `pkg${p}` }));
  writeFileSync(join(dir, 'schema.prisma'), schema);
  writeFileSync(join(dir, 'src', 'lib', 'db.ts'), `import { PrismaClient } from '@prisma/client';\nexport const db = new PrismaClient();\n`);
  for (let f = 0; f < total / packages; f++) {
    const t = f % 30;
    writeFileSync(
      join(dir, 'src', `service${f}.ts`),
      `import { db } from './lib/db';\n\nexport async function list${f}(orgId: string) {\n  return db.thing${t}.findMany({ where: { orgId }, take: 50 });\n}\n\nexport async function get${f}(id: string) {\n  // leaks on purpose: by id alone\n  return db.thing${t}.findUnique({ where: { id } });\n}\n\nexport function format${f}(x: { name: string }) {\n  return x.name.trim().toUpperCase();\n}\n`,
    );
  }
}

const started = performance.now();
const result = await scan({ path: root });
const seconds = (performance.now() - started) / 1000;
const memory = process.memoryUsage().rss / 1024 / 1024;
console.log(
  `${result.stats.filesScanned} files in ${packages} packages: ${seconds.toFixed(2)} s, ` +
    `${Math.round(result.stats.filesScanned / seconds)} files/s, ${result.findings.length} findings, ` +
    `${result.stats.querySites} query sites, rss ${Math.round(memory)} MiB`,
);
rmSync(root, { recursive: true, force: true });
