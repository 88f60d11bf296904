import { beforeAll, describe, expect, it } from 'vitest';
import { useScratch } from '../helpers/scratch.js';
import { bothFaces, type Verdicts } from './faces.js';
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
  const faces: { scanner: Verdicts; eslint: Verdicts } = { scanner: new Map(), eslint: new Map() };
  const unsafe = handler(layer.imports, layer.filter('scope'), '`summary:${id}`');
  const setLine = unsafe.split('\n').findIndex((line) => line.includes('redis.set(')) + 1;

  beforeAll(async () => {
    const dir = makeProject({
      ...layer.files,
      'package.json': layer.files['package.json'].replace('"dependencies": {', '"dependencies": {\n    "ioredis": "^5.6.0",'),
      'src/h/unsafe/summary.ts': unsafe,
      'src/h/safe/summary.ts': handler(layer.imports, layer.filter('scope'), '`${orgId}:summary:${id}`'),
    });
    Object.assign(faces, await bothFaces(dir, 'require-tenant-cache-key'));
  }, 60_000);

  it.each(['scanner', 'eslint'] as const)('%s: rows of a tenant query cached under a key without the tenant are reported err', (face) => {
    expect(faces[face].get('src/h/unsafe/summary.ts')).toEqual([`${setLine} cacheKeyWithoutTenant`]);
  });

  it.each(['scanner', 'eslint'] as const)('%s: the same rows keyed by the tenant are not ok', (face) => {
    expect(faces[face].get('src/h/safe/summary.ts')).toBeUndefined();
  });
});
