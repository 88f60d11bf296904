import { join } from 'node:path';
import { RuleTester } from '@typescript-eslint/rule-tester';
import rule from '../../rules/no-client-tenant-id.js';

// Mass assignment: client input written into a tenant row as a whole can set its tenant key.
// Linted as a file of test/http/project (Prisma; tenant root Organization, Invoice keyed by orgId).
const project = join(import.meta.dirname, '..', 'http', 'project');
const filename = join(project, 'src', 'handler.ts');
const ruleTester = new RuleTester({ defaultFilenames: { ts: filename, tsx: filename } });

const express = `import express from 'express';
import { z } from 'zod';
import { prisma } from './lib/db';
const app = express();
const CreateInvoice = z.object({ number: z.number() });
declare function orgOf(req: unknown): string;
`;
const trpc = `import { z } from 'zod';\nimport { prisma } from './lib/db';\nimport { publicProcedure } from './lib/trpc';\n`;
const koa = `import Koa from 'koa';\nimport Router from '@koa/router';\nimport { prisma } from './lib/db';\nconst app = new Koa();\nconst router = new Router();\n`;

ruleTester.run('no-client-tenant-id: mass assignment', rule, {
  valid: [
    // the fields are picked one by one and the tenant comes from the server
    `${express}app.post('/invoices', async (req, res) => {
  res.json(await prisma.invoice.create({ data: { number: req.body.number, orgId: orgOf(req) } }));
});`,
    // the tenant key written after the spread overrides whatever the client sent
    `${express}app.post('/invoices', async (req, res) => {
  res.json(await prisma.invoice.create({ data: { ...req.body, orgId: orgOf(req) } }));
});`,
    // validated by a schema (which strips unknown keys such as orgId)
    `${express}app.post('/invoices', async (req, res) => {
  const input = CreateInvoice.parse(req.body);
  res.json(await prisma.invoice.create({ data: { ...input, orgId: orgOf(req) } }));
});`,
    `${express}app.post('/invoices', async (req, res) => {
  res.json(await prisma.invoice.update({ where: { orgId_number: { orgId: orgOf(req), number: 1 } }, data: CreateInvoice.parse(req.body) }));
});`,
    // tRPC input went through the procedure's zod parser, which strips keys it does not declare
    `${trpc}export const update = publicProcedure
  .input(z.object({ number: z.number(), status: z.string() }))
  .mutation(({ ctx, input }) => prisma.invoice.update({ where: { orgId_number: { orgId: ctx.user.orgId, number: input.number } }, data: input }));`,
  ],
  invalid: [
    {
      // the whole body is the row: the client picks orgId
      code: `${express}app.post('/invoices', async (req, res) => {
  res.json(await prisma.invoice.create({ data: req.body }));
});`,
      errors: [{ messageId: 'massAssignment', line: 8 }],
    },
    {
      // the spread comes after the tenant key and overrides it
      code: `${express}app.post('/invoices', async (req, res) => {
  res.json(await prisma.invoice.create({ data: { orgId: orgOf(req), ...req.body } }));
});`,
      errors: [{ messageId: 'massAssignment', line: 8 }],
    },
    {
      // an update by a tenant-scoped key, but the body can move the row to another tenant
      code: `${express}app.patch('/invoices/:number', async (req, res) => {
  const data = req.body;
  res.json(await prisma.invoice.update({ where: { orgId_number: { orgId: orgOf(req), number: Number(req.params.number) } }, data }));
});`,
      errors: [{ messageId: 'massAssignment', line: 8 }],
    },
    {
      // Object.assign onto a loaded row
      code: `${express}app.patch('/invoices/:number', async (req, res) => {
  const invoice = await prisma.invoice.findFirstOrThrow({ where: { orgId: orgOf(req), number: Number(req.params.number) } });
  Object.assign(invoice, req.body);
  res.json(invoice);
});`,
      errors: [{ messageId: 'massAssignment', line: 9 }],
    },
    {
      // Koa
      code: `${koa}router.post('/invoices', async (ctx) => {
  ctx.body = await prisma.invoice.create({ data: ctx.request.body });
});`,
      errors: [{ messageId: 'massAssignment', line: 7 }],
    },
  ],
});
