import { beforeAll, describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';
import { LAYERS } from './layers.js';

/*
 * require-tenant-cache-key on every data layer: data a tenant-scoped query returned, cached under
 * a key without the tenant (`summary:${id}`), is one tenant's data served to every tenant, and
 * the rule knows it came from a tenant query whichever layer ran it. The filter's value is not
 * named like a tenant (`scope`), so only the query says that the rows are tenant data. The safe
 * twin keys the same entry by the tenant. Written once per layer from test/parity/layers.ts.
 */

const { makeProject } = useScratch();

const handler = (imports: string, query: string, key: string) => `import Redis from 'ioredis';
${imports}

const redis = new Redis();

export async function summary(orgId: string, id: string) {
  const scope = orgId;
  const rows = ${query}
  await redis.set(${key}, JSON.stringify(rows));
}
`;

describe.each(LAYERS)('require-tenant-cache-key parity: $name', (layer) => {
  let findings: Map<string, string[]>;
  const unsafe = handler(layer.imports, layer.filter('scope'), '`summary:${id}`');
  const setLine = unsafe.split('\n').findIndex((line) => line.includes('redis.set(')) + 1;

  beforeAll(async () => {
    const dir = makeProject({
      ...layer.files,
      'package.json': layer.files['package.json'].replace('"dependencies": {', '"dependencies": {\n    "ioredis": "^5.6.0",'),
      'src/h/unsafe/summary.ts': unsafe,
      'src/h/safe/summary.ts': handler(layer.imports, layer.filter('scope'), '`${orgId}:summary:${id}`'),
    });
    const result = await scan({ path: dir });
    findings = new Map();
    for (const f of result.findings.filter((finding) => finding.ruleId === 'require-tenant-cache-key')) findings.set(f.file, [...(findings.get(f.file) ?? []), `${f.line} ${f.messageId}`]);
  }, 60_000);

  it('rows of a tenant query cached under a key without the tenant are reported err', () => {
    expect(findings.get('src/h/unsafe/summary.ts')).toEqual([`${setLine} cacheKeyWithoutTenant`]);
  });

  it('the same rows keyed by the tenant are not ok', () => {
    expect(findings.get('src/h/safe/summary.ts')).toBeUndefined();
  });
});
