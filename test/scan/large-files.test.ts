import { describe, expect, it } from 'vitest';
import { dataAccessText } from '../../src/scan/large-files.js';

describe('the text probe of oversized source files', () => {
  it.each([
    ['a Prisma delegate call', 'const a = 1;\nawait prisma.invoice.findMany({ where: {} });', 2],
    ['a computed operation name', "db.invoice['findFirst']({})", 1],
    ['a Knex chain with a type argument', 'knex<Row>("invoices").where<Row>({ id })', 1],
    ['a sql tag', 'const q = sql`select 1`;', 1],
    ['SQL text in a string', 'const q = "SELECT id FROM invoices WHERE id = $1";', 1],
    ['an INSERT in a template', 'pool.run(`\n  insert into invoices (id) values ($1)`)', 1],
  ])('%s is data-access text', (_, text, line) => {
    expect(dataAccessText(text)?.line).toBe(line);
  });

  it.each([
    ['generated GraphQL input types', "export type InvoiceWhereInput = { where?: Maybe<string>; select?: boolean; op: 'update' | 'delete' };"],
    ['generated Supabase types', 'export type Database = { public: { Tables: { invoices: { Row: { id: string }; Insert: { id?: string }; Update: { id?: string } } } } };'],
    ['a method named like an operation but longer', 'userService.findOneByUserId(id)'],
    ['prose with a SQL word', "const label = 'Select an option';"],
  ])('%s is not', (_, text) => {
    expect(dataAccessText(text)).toBeUndefined();
  });
});
