import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { bothFaces } from '../parity/faces.js';
import { useScratch } from '../helpers/scratch.js';
import { ORMS, type Orm } from '../helpers/integration-jobs.js';

/*
 * Issue 13, class 6, session 18. capgo's Stripe trigger mounts its signature check as a middleware a
 * project factory returns (`app.post('/', middlewareStripeWebhook(), handler)`, with
 * `function middlewareStripeWebhook() { return factory.createMiddleware(async (c, next) => { const signature =
 * c.req.raw.headers.get('stripe-signature'); ... await parseStripeEvent(c, body, signature); ... }) }`): only
 * Stripe can call the handler, so what it reaches is system code (info), as with the middleware written
 * inline. Twin: the factory's middleware reads the signature and verifies nothing, error.
 */

const { makeProject } = useScratch();

function project(orm: Orm, middleware: string): string {
  const o = ORMS[orm];
  return makeProject({
    'package.json': JSON.stringify({ name: 'hooks', private: true, dependencies: { ...o.deps, hono: '^4.0.0', stripe: '^17.0.0' } }),
    ...o.schema,
    'src/db.ts': o.db,
    'src/integrations.ts': `import { db } from './db';\n${o.imports}\nexport async function markRun(id: string) {\n  return ${o.touch};\n}\n`,
    'src/stripe-middleware.ts': `import Stripe from 'stripe';\nimport { createFactory } from 'hono/factory';\n\nconst factory = createFactory();\nconst stripe = new Stripe(process.env.STRIPE_KEY ?? '');\n\nfunction parseEvent(body: string, signature: string) {\n  return stripe.webhooks.constructEventAsync(body, signature, process.env.STRIPE_WEBHOOK_SECRET ?? '');\n}\n\nexport function stripeWebhook() {\n  return factory.createMiddleware(async (c: any, next: () => Promise<void>) => {\n    const signature = c.req.raw.headers.get('stripe-signature');\n    if (!signature) throw new Error('no signature');\n    const body = await c.req.text();\n${middleware}    await next();\n  });\n}\n`,
    'src/trigger.ts': `import { Hono } from 'hono';\nimport { stripeWebhook } from './stripe-middleware';\nimport { markRun } from './integrations';\n\nexport const app = new Hono();\napp.post('/stripe', stripeWebhook(), async (c: any) => {\n  const event = c.get('event');\n  await markRun(event.data.object.id);\n  return c.json({ ok: true });\n});\n`,
  });
}

const VERIFIES = `    const event = await parseEvent(body, signature);\n    c.set('event', event);\n`;
const ONLY_READS = `    c.set('event', JSON.parse(body));\n`;

function at(orm: Orm): string {
  return `src/integrations.ts:${3 + ORMS[orm].imports.split('\n').length}`;
}

async function severities(dir: string): Promise<string[]> {
  const result = await scan({ path: dir });
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file}:${f.line} ${f.severity}`);
}

describe.each(['prisma', 'drizzle', 'sql'] as Orm[])('a signature check in a middleware a project factory returns (%s)', (orm) => {
  it('the factory\'s middleware verifies the provider\'s signature: system code, info', async () => {
    expect(await severities(project(orm, VERIFIES))).toEqual([`${at(orm)} info`]);
  });

  it('twin: the middleware reads the signature and verifies nothing: error', async () => {
    expect(await severities(project(orm, ONLY_READS))).toEqual([`${at(orm)} error`]);
  });
});

describe('both faces', () => {
  it('the scanner and the ESLint plugin agree on the factory middleware and its twin', async () => {
    for (const middleware of [VERIFIES, ONLY_READS]) {
      const { scanner, eslint } = await bothFaces(project('prisma', middleware), 'require-tenant-filter');
      expect(eslint).toEqual(scanner);
    }
  });
});
