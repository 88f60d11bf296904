import { beforeAll, describe, expect, it } from 'vitest';
import { loadSqlParsers } from '../../src/sql/libpg.js';
import { splitStatements } from '../../src/sql/split.js';

beforeAll(async () => {
  await loadSqlParsers();
});

function texts(sql: string): string[] {
  return splitStatements(sql).statements.map((s) => s.text);
}

describe('splitStatements', () => {
  it('semicolonsInsideQuotesAndCommentsDoNotSplit ok', () => {
    const sql = `INSERT INTO t VALUES ('a;b', E'c\\';d');\n-- comment; here\nCREATE TABLE "we;ird" (a int); /* block; /* nested; */ still */ SELECT 1`;
    expect(texts(sql)).toEqual([`INSERT INTO t VALUES ('a;b', E'c\\';d')`, `CREATE TABLE "we;ird" (a int)`, 'SELECT 1']);
  });

  it('dollarQuotedBodiesStayWhole ok', () => {
    const sql = `CREATE FUNCTION f() RETURNS trigger AS $body$ BEGIN x := 1; RETURN NEW; END; $body$ LANGUAGE plpgsql;\nDO $$ BEGIN PERFORM 1; END $$;\nSELECT $1;`;
    expect(texts(sql)).toHaveLength(3);
    expect(texts(sql)[0]).toContain('RETURN NEW; END; $body$ LANGUAGE plpgsql');
  });

  it('drizzleStatementBreakpointSplits ok', () => {
    const sql = `CREATE TABLE a (id int);\n--> statement-breakpoint\nCREATE TABLE b (id int)\n--> statement-breakpoint\nCREATE INDEX i ON b (id);`;
    expect(texts(sql)).toEqual(['CREATE TABLE a (id int)', 'CREATE TABLE b (id int)', 'CREATE INDEX i ON b (id)']);
  });

  it('keepsLineAndColumnOfFirstKeyword ok', () => {
    const sql = `-- header\n\n  /* c */ CREATE TABLE a (id int);\n\tALTER TABLE a ADD b int;`;
    const statements = splitStatements(sql).statements;
    expect(statements.map((s) => [s.line, s.column])).toEqual([
      [3, 11],
      [4, 2],
    ]);
  });

  it('commentsAreBlankedWithOffsetsKept ok', () => {
    const sql = `CREATE TABLE a ( -- the key\n id int /* pk */ PRIMARY KEY)`;
    const [statement] = splitStatements(sql).statements;
    expect(statement.text).toHaveLength(sql.length);
    expect(statement.text).not.toContain('the key');
    expect(statement.text.split('\n')).toHaveLength(2);
  });

  it('psqlMetaCommandsEndTheStatement ok', () => {
    expect(texts(`\\echo Use "CREATE EXTENSION x" to load this file. \\quit\nCREATE TABLE a (id int);`)).toEqual(['CREATE TABLE a (id int)']);
  });

  it('beginAtomicBodyIsOneStatement ok', () => {
    const sql = `CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN a > 0 THEN 1 ELSE 2 END; SELECT 3; END;\nSELECT 4;`;
    expect(texts(sql)).toHaveLength(2);
  });

  it('unterminatedQuoteTakesTheRestOfTheFile err', () => {
    expect(texts(`SELECT 'oops;\nCREATE TABLE a (id int);`)).toHaveLength(1);
  });

  it('emptyStatementsAreDropped ok', () => {
    expect(texts(';;\n  ; -- nothing\n')).toEqual([]);
  });
});
