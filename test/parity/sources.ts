/**
 * The client-input sources of the parity matrix, each written once: a handler of one web framework
 * that reads a tenant id the client chooses into `orgId` and hands it to a data layer's sink. The
 * safe twin is the same handler with an equality check against the verified identity between the
 * read and the sink (the client may pick among its own tenants; the server checks the pick).
 */

export interface Handler {
  /** Project-relative path: the framework's own file convention where it has one. */
  path: string;
  text: string;
  /** 1-based line of the read of client input, where no-client-tenant-id reports. */
  readLine: number;
}

export interface Source {
  name: string;
  framework: string;
  /** The handler for one cell: `imports` of the data layer, `sink` its statement using `orgId`. */
  handler(cell: string, imports: string, sink: string, guarded: boolean): Handler;
}

/** Joins lines and finds the read, marked by the placeholder `@read` at the end of its line. */
function handler(path: string, lines: (string | false)[]): Handler {
  const kept = lines.filter((line): line is string => line !== false).flatMap((line) => line.split('\n'));
  const index = kept.findIndex((line) => line.endsWith(' @read'));
  kept[index] = kept[index].slice(0, -' @read'.length);
  return { path, text: `${kept.join('\n')}\n`, readLine: index + 1 };
}

const express = (read: string, name: string): Source => ({
  name,
  framework: 'express',
  handler: (cell, imports, sink, guarded) =>
    handler(`src/h/${cell}/handler.ts`, [
      `import express from 'express';`,
      imports,
      '',
      'export const app = express();',
      '',
      `app.post('/orgs/:orgId/invoices', async (req, res) => {`,
      `  const orgId = ${read}; @read`,
      guarded && '  if (orgId !== req.user.orgId) return res.sendStatus(403);',
      `  ${sink}`,
      '  res.json({ ok: true });',
      '});',
    ]),
});

const hono = (read: string, name: string): Source => ({
  name,
  framework: 'hono',
  handler: (cell, imports, sink, guarded) =>
    handler(`src/h/${cell}/handler.ts`, [
      `import { Hono } from 'hono';`,
      imports,
      '',
      'export const app = new Hono();',
      '',
      `app.post('/orgs/:orgId/invoices', async (c) => {`,
      `  ${read} @read`,
      guarded && `  if (orgId !== c.get('orgId')) return c.text('Forbidden', 403);`,
      `  ${sink}`,
      '  return c.json({ ok: true });',
      '});',
    ]),
});

/** The verified session of Auth.js, for the Next.js twins. */
const nextGuard = `  const session = await getServerSession();\n  if (orgId !== session?.user.orgId) throw new Error('Forbidden');`;

export const SOURCES: Source[] = [
  express('req.body.orgId', 'express req.body'),
  express('req.query.orgId as string', 'express req.query'),
  express('req.params.orgId', 'express req.params'),
  express(`req.headers['x-org-id'] as string`, 'express req.headers'),
  {
    name: 'next server action formData.get',
    framework: 'nextjs',
    handler: (cell, imports, sink, guarded) =>
      handler(`src/h/${cell}/actions.ts`, [
        `'use server';`,
        '',
        `import { getServerSession } from 'next-auth';`,
        imports,
        '',
        'export async function createInvoice(formData: FormData) {',
        `  const orgId = String(formData.get('orgId')); @read`,
        guarded && nextGuard,
        `  ${sink}`,
        '}',
      ]),
  },
  {
    name: 'next headers() in a route handler',
    framework: 'nextjs',
    handler: (cell, imports, sink, guarded) =>
      handler(`src/app/${cell}/route.ts`, [
        `import { headers } from 'next/headers';`,
        `import { getServerSession } from 'next-auth';`,
        imports,
        '',
        'export async function POST() {',
        `  const orgId = (await headers()).get('x-org-id') ?? ''; @read`,
        guarded && nextGuard,
        `  ${sink}`,
        '  return Response.json({ ok: true });',
        '}',
      ]),
  },
  hono(`const orgId = c.req.query('orgId') ?? '';`, 'hono c.req.query()'),
  hono(`const orgId = c.req.param('orgId');`, 'hono c.req.param()'),
  hono('const { orgId } = await c.req.json();', 'hono c.req.json()'),
  {
    name: 'fastify request.body',
    framework: 'fastify',
    handler: (cell, imports, sink, guarded) =>
      handler(`src/h/${cell}/handler.ts`, [
        `import Fastify from 'fastify';`,
        imports,
        '',
        'export const app = Fastify();',
        '',
        `app.post('/invoices', async (request, reply) => {`,
        '  const { orgId } = request.body as { orgId: string }; @read',
        guarded && '  if (orgId !== request.user.orgId) return reply.code(403).send();',
        `  ${sink}`,
        '  return { ok: true };',
        '});',
      ]),
  },
  {
    name: 'nestjs @Body() dto',
    framework: 'nestjs',
    handler: (cell, imports, sink, guarded) =>
      handler(`src/h/${cell}/invoices.controller.ts`, [
        `import { Body, Controller, ForbiddenException, Post, Req } from '@nestjs/common';`,
        imports,
        '',
        'class CreateInvoiceDto {',
        '  orgId!: string;',
        '}',
        '',
        `@Controller('invoices')`,
        'export class InvoicesController {',
        '  @Post()',
        '  async create(@Body() dto: CreateInvoiceDto, @Req() req: { user: { orgId: string } }) {',
        '    const orgId = dto.orgId; @read',
        guarded && '    if (orgId !== req.user.orgId) throw new ForbiddenException();',
        `    ${sink}`,
        '    return { ok: true };',
        '  }',
        '}',
      ]),
  },
];
