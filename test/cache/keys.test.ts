import { describe, expect, it } from 'vitest';
import { keyOf } from './helpers.js';

/**
 * Key evaluation: each test is one way of building a key, with the shape it must evaluate to
 * (`${...}` for runtime values, ` || ` between alternatives), or the reason it cannot be.
 */

const redis = `import { redis } from './lib/redis';\n`;

describe('key forms', () => {
  it('template literal, concatenation and a const ok', () => {
    expect(keyOf(`${redis}export const f = (id: string) => redis.get(\`invoice:\${id}\`);`)).toBe('invoice:${id}');
    expect(keyOf(`${redis}export const f = (id: string) => redis.get('invoice:' + id + ':lines');`)).toBe('invoice:${id}:lines');
    expect(keyOf(`${redis}export function f(id: string) { const key = \`invoice:\${id}\`; return redis.get(key); }`)).toBe('invoice:${id}');
  });

  it('arrays joined, with and without a separator, filtered ok', () => {
    expect(keyOf(`${redis}export const f = (id: string) => redis.get(['invoice', id].join(':'));`)).toBe('invoice:${id}');
    expect(keyOf(`${redis}export const f = (id: string) => redis.get(['invoice', id].join());`)).toBe('invoice,${id}');
    expect(keyOf(`${redis}export const f = (id: string, v?: string) => redis.get(['invoice', id, v].filter(Boolean).join('/'));`)).toBe('invoice/${id}/${v}');
  });

  it('conditional keys have one shape per branch ok', () => {
    expect(keyOf(`${redis}export const f = (id: string, draft: boolean) => redis.get(draft ? \`draft:\${id}\` : \`invoice:\${id}\`);`)).toBe('draft:${id} || invoice:${id}');
  });

  it('String(), encodeURIComponent, toLowerCase() and JSON.stringify keep the parts ok', () => {
    expect(keyOf(`${redis}export const f = (id: number) => redis.get('invoice:' + String(id));`)).toBe('invoice:${id}');
    expect(keyOf(`${redis}export const f = (q: string) => redis.get(\`search:\${encodeURIComponent(q.toLowerCase())}\`);`)).toBe('search:${q}');
    expect(keyOf(`${redis}export const f = (orgId: string, page: number) => redis.get(JSON.stringify({ orgId, page }));`)).toBe('{"orgId":${orgId},"page":${page},}');
  });

  it('a hash keeps what it hashed ok', () => {
    expect(keyOf(`${redis}import { createHash } from 'node:crypto';\nexport const f = (q: string) => redis.get(\`s:\${createHash('sha256').update(q).digest('hex')}\`);`)).toBe('s:${q}');
  });

  it('a key map entry and a string enum member are constants ok', () => {
    expect(keyOf(`${redis}import { KEYS } from './lib/cache-keys';\nexport const f = () => redis.get(KEYS.plans);`)).toBe('plans:all');
    expect(keyOf(`${redis}enum Keys { Flags = 'feature-flags' }\nexport const f = () => redis.get(Keys.Flags);`)).toBe('feature-flags');
  });
});

describe('key helpers', () => {
  it('an imported helper with rest parameters is evaluated with its arguments ok', () => {
    expect(keyOf(`${redis}import { cacheKey } from './lib/cache-keys';\nexport const f = (id: string) => redis.get(cacheKey('invoice', id));`)).toBe('invoice:${id}');
    expect(keyOf(`${redis}import { tenantKey } from './lib/cache-keys';\nexport const f = (orgId: string, id: string) => redis.get(tenantKey(orgId, 'invoice', id));`)).toBe('org:${orgId}:invoice:${id}');
  });

  it('default and destructured parameters, arrow and function helpers ok', () => {
    expect(keyOf(`${redis}const key = (id: string, kind = 'invoice') => \`\${kind}:\${id}\`;\nexport const f = (id: string) => redis.get(key(id));`)).toBe('invoice:${id}');
    expect(keyOf(`${redis}function key({ orgId, id }: { orgId: string; id: string }) { return \`\${orgId}:\${id}\`; }\nexport const f = (o: string, i: string) => redis.get(key({ orgId: o, id: i }));`)).toBe('${o}:${i}');
  });

  it('a key method of the class, a static method and a key map function ok', () => {
    expect(keyOf(`${redis}export class S {\n  private key(id: string) { return \`invoice:\${id}\`; }\n  f(id: string) { return redis.get(this.key(id)); }\n}`)).toBe('invoice:${id}');
    expect(keyOf(`${redis}class Keys { static invoice(id: string) { return \`invoice:\${id}\`; } }\nexport const f = (id: string) => redis.get(Keys.invoice(id));`)).toBe('invoice:${id}');
    expect(keyOf(`${redis}import { KEYS } from './lib/cache-keys';\nexport const f = (id: string) => redis.get(KEYS.invoice(id));`)).toBe('invoice:${id}');
  });

  it('a value from a call it cannot read is a runtime value when it is a piece of the key ok', () => {
    expect(keyOf(`${redis}import { nanoid } from 'nanoid';\nexport const f = () => redis.get(\`job:\${nanoid()}\`);`)).toBe('job:${nanoid()}');
    expect(keyOf(`${redis}export function f(form: FormData) { const id = String(form.get('id')); return redis.get(\`invoice:\${id}\`); }`)).toBe('invoice:${id}');
  });
});

describe('keys the analysis cannot evaluate', () => {
  it('a whole key built by a package function from literal pieces err', () => {
    expect(keyOf(`${redis}import { build } from 'key-lib';\nexport const f = (id: string) => redis.get(build('invoice', id));`)).toBe('unknown(the key is built by `build()`, which the analysis cannot follow)');
  });

  it('a call that may add the tenant or a prefix, wherever it is err', () => {
    expect(keyOf(`${redis}import { withTenant } from './context';\nexport const f = (id: string) => redis.get(withTenant(\`invoice:\${id}\`));`)).toMatch(/^unknown\(the key is built by `withTenant\(\)`/);
    expect(keyOf(`${redis}import { keyPrefix } from 'config-lib';\nexport const f = (id: string) => redis.get(\`\${keyPrefix()}:invoice:\${id}\`);`)).toMatch(/^unknown\(the key is built by `keyPrefix\(\)`/);
  });

  it('a constant imported from a package, an object key err', () => {
    expect(keyOf(`${redis}import { PLANS_KEY } from '@acme/keys';\nexport const f = () => redis.get(PLANS_KEY);`)).toBe('unknown(`PLANS_KEY` is imported from the package `@acme/keys`, which the analysis does not read)');
    expect(keyOf(`${redis}export const f = (id: string) => redis.get({ id } as never);`)).toMatch(/^unknown\(the key is an object/);
  });
});
