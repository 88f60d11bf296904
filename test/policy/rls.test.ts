import { RuleTester } from '@typescript-eslint/rule-tester';
import rule from '../../rules/require-tenant-filter.js';
import { onDisk } from '../helpers/on-disk.js';

const ruleTester = new RuleTester();

// `articles` has row-level security enabled and forced with a policy on its tenant column;
// `notes` has it enabled but not forced (the table owner bypasses it).
const migration = `CREATE TABLE accounts (id uuid PRIMARY KEY, name text NOT NULL);
CREATE TABLE articles (id uuid PRIMARY KEY, account_id uuid NOT NULL REFERENCES accounts(id), title text NOT NULL);
CREATE INDEX articles_account_idx ON articles (account_id, id);
ALTER TABLE articles ENABLE ROW LEVEL SECURITY;
ALTER TABLE articles FORCE ROW LEVEL SECURITY;
CREATE POLICY articles_tenant ON articles USING (account_id = current_setting('app.account_id')::uuid);
CREATE TABLE notes (id uuid PRIMARY KEY, account_id uuid NOT NULL REFERENCES accounts(id), body text NOT NULL);
CREATE INDEX notes_account_idx ON notes (account_id, id);
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY notes_tenant ON notes USING (account_id = current_setting('app.account_id')::uuid);
CREATE TABLE article_comments (id uuid PRIMARY KEY, article_id uuid NOT NULL REFERENCES articles(id), body text);
ALTER TABLE article_comments ENABLE ROW LEVEL SECURITY;
ALTER TABLE article_comments FORCE ROW LEVEL SECURITY;
CREATE POLICY comments_of_visible_articles ON article_comments USING (EXISTS (SELECT 1 FROM articles a WHERE a.id = article_comments.article_id));
CREATE TABLE article_links (id uuid PRIMARY KEY, article_id uuid NOT NULL REFERENCES articles(id), url text);
ALTER TABLE article_links ENABLE ROW LEVEL SECURITY;
ALTER TABLE article_links FORCE ROW LEVEL SECURITY;
CREATE POLICY links_when_any_article ON article_links USING (EXISTS (SELECT 1 FROM articles a WHERE a.title <> ''));
`;

const head = `import { Pool } from 'pg';\nconst pool = new Pool();\n`;

function project(body: string): { code: string; filename: string } {
  return onDisk(`${head}${body}`, 'src/articles.ts', { 'migrations/001_init.sql': migration, 'package.json': '{"name":"rls-app","dependencies":{"pg":"^8.0.0"}}' });
}

ruleTester.run('require-tenant-filter: row-level security with the tenant set', rule, {
  valid: [
    // forced RLS, and the transaction sets the tenant first: the database scopes the query
    project(`export async function list(accountId: string) {
  const client = await pool.connect();
  await client.query('BEGIN');
  await client.query("SELECT set_config('app.account_id', $1, true)", [accountId]);
  const { rows } = await client.query('SELECT * FROM articles');
  await client.query('COMMIT');
  return rows;
}`),
    // SET LOCAL in a transaction callback that encloses the query
    project(`declare function tx<T>(fn: (q: (sql: string, params?: unknown[]) => Promise<T>) => Promise<T>): Promise<T>;
export async function list(accountId: string) {
  await pool.query("SELECT set_config('app.account_id', $1, true)", [accountId]);
  return tx(async () => pool.query('SELECT * FROM articles'));
}`),
    // a child whose policy reads its parent row (EXISTS ... WHERE a.id = article_comments.article_id): the parent's policy scopes it
    project(`export async function comments(accountId: string) {
  const client = await pool.connect();
  await client.query('BEGIN');
  await client.query("SELECT set_config('app.account_id', $1, true)", [accountId]);
  const { rows } = await client.query('SELECT * FROM article_comments');
  await client.query('COMMIT');
  return rows;
}`),
  ],
  invalid: [
    {
      // twin of the child policy below: its subquery does not correlate with the row
      ...project(`export async function links(accountId: string) {
  const client = await pool.connect();
  await client.query('BEGIN');
  await client.query("SELECT set_config('app.account_id', $1, true)", [accountId]);
  const { rows } = await client.query('SELECT * FROM article_links');
  await client.query('COMMIT');
  return rows;
}`),
      errors: [{ messageId: 'missingTenantFilter' }],
    },
    {
      // forced RLS but nothing sets the tenant: defence in depth only (reported at lower severity)
      ...project(`export const list = () => pool.query('SELECT * FROM articles');`),
      errors: [{ messageId: 'missingTenantFilter' }],
    },
    {
      // the tenant is set after the query
      ...project(`export async function list(accountId: string) {
  const { rows } = await pool.query('SELECT * FROM articles');
  await pool.query("SELECT set_config('app.account_id', $1, true)", [accountId]);
  return rows;
}`),
      errors: [{ messageId: 'missingTenantFilter' }],
    },
    {
      // RLS not forced: the table owner bypasses it, the setting does not help
      ...project(`export async function list(accountId: string) {
  await pool.query("SELECT set_config('app.account_id', $1, true)", [accountId]);
  return pool.query('SELECT * FROM notes');
}`),
      errors: [{ messageId: 'missingTenantFilter' }],
    },
  ],
});
