import { beforeAll, describe, expect, it } from 'vitest';
import { loadSqlParsers } from '../../src/sql/libpg.js';
import { SqlQueryAnalyzer, type SqlTableInfo } from '../../src/sql/query.js';

const TABLES: Record<string, SqlTableInfo> = {
  invoices: { class: 'tenant', tenantColumns: ['org_id'], parents: [] },
  members: { class: 'tenant', tenantColumns: ['org_id'], parents: [] },
  invoice_lines: { class: 'child', tenantColumns: [], parents: [{ column: 'invoice_id', table: 'invoices', parentColumn: 'id' }] },
  plans: { class: 'global', tenantColumns: [], parents: [] },
  // `assignees` (tenant) references `invoices` and `members`; `member_cards` (tenant) references `members` too.
  assignees: { class: 'tenant', tenantColumns: ['org_id'], parents: [], references: [{ column: 'invoice_id', table: 'invoices', parentColumn: 'id' }, { column: 'member_id', table: 'members', parentColumn: 'id' }] },
  member_cards: { class: 'tenant', tenantColumns: ['org_id'], parents: [], references: [{ column: 'member_id', table: 'members', parentColumn: 'id' }] },
};

beforeAll(loadSqlParsers);

/** `alias:ok|OR|LEAK` per table use, statement by statement. */
function uses(sql: string): string[] {
  const analyzer = new SqlQueryAnalyzer((name) => TABLES[name]);
  return analyzer.analyze(sql).flatMap((s) => s.uses.filter((u) => u.info?.class !== 'global').map((u) => `${u.alias}:${u.constrained ? 'ok' : u.orBypass !== undefined ? 'OR' : 'LEAK'}`));
}

function expectNoFindings(sql: string): void {
  expect(uses(sql).filter((u) => !u.endsWith(':ok'))).toEqual([]);
}

function expectFindings(sql: string): string[] {
  const found = uses(sql).filter((u) => !u.endsWith(':ok'));
  expect(found.length).toBeGreaterThan(0);
  return found;
}

describe('raw SQL: rows reached through foreign keys from a constrained row', () => {
  // worklenz: `FROM tasks_assignees ta JOIN tasks t ON t.id = ta.task_id WHERE ta.team_id = $1`,
  // `project_members pm JOIN team_member_info_view tmiv ON pm.team_member_id = tmiv.team_member_id`.
  it('theRowAConstrainedRowReferences ok', () => expectNoFindings('SELECT i.* FROM assignees a JOIN invoices i ON i.id = a.invoice_id WHERE a.org_id = $1'));
  it('rowsReferencingTheSameRowAsAConstrainedOne ok', () => expectNoFindings('SELECT c.* FROM assignees a JOIN member_cards c ON c.member_id = a.member_id WHERE a.org_id = $1'));
  it('theReferencedRowOfAnUnconstrainedRow err', () => expect(expectFindings('SELECT i.* FROM assignees a JOIN invoices i ON i.id = a.invoice_id WHERE a.id = $1')).toEqual(['a:LEAK', 'i:LEAK']));
  it('aJoinOnAColumnThatIsNotTheReference err', () => expect(expectFindings('SELECT c.* FROM assignees a JOIN member_cards c ON c.id = a.member_id WHERE a.org_id = $1')).toEqual(['c:LEAK']));
});

describe('raw SQL tenant analysis', () => {
  it('tenantPredicateScopesTable ok', () => expectNoFindings('SELECT * FROM invoices WHERE org_id = $1 AND id = $2'));
  it('qualifiedAndCastPredicate ok', () => expectNoFindings('SELECT * FROM invoices i WHERE i.org_id = $1::uuid'));
  it('inListAndAnyArray ok', () => {
    expectNoFindings('SELECT * FROM invoices WHERE org_id IN ($1, $2)');
    expectNoFindings('DELETE FROM invoices WHERE org_id = ANY($1)');
  });
  it('byIdAlone err', () => expect(expectFindings('SELECT * FROM invoices WHERE id = $1')).toEqual(['invoices:LEAK']));
  it('updateAndDeleteByIdAlone err', () => {
    expect(expectFindings('UPDATE invoices SET total = 0 WHERE id = $1')).toEqual(['invoices:LEAK']);
    expect(expectFindings('DELETE FROM invoices WHERE id = $1')).toEqual(['invoices:LEAK']);
  });
  it('joinOnTenantKeyPropagatesFilter ok', () => expectNoFindings('SELECT * FROM invoices i JOIN members m ON m.org_id = i.org_id WHERE m.org_id = $1'));
  it('childJoinedToConstrainedParent ok', () => expectNoFindings('SELECT l.* FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id WHERE i.org_id = $1'));
  it('childByParentIdAlone err', () => expect(expectFindings('SELECT * FROM invoice_lines WHERE invoice_id = $1')).toEqual(['invoice_lines:LEAK']));
  it('joinOnNonTenantColumnDoesNotPropagate err', () => expect(expectFindings('SELECT * FROM invoices i JOIN members m ON m.id = i.id WHERE i.org_id = $1')).toEqual(['m:LEAK']));
  it('orBranchWithoutTenant err', () => expect(expectFindings('SELECT * FROM invoices WHERE org_id = $1 OR id = $2')).toEqual(['invoices:OR']));
  it('andOrPrecedenceMistake err', () => expect(expectFindings('SELECT * FROM invoices WHERE org_id = $1 AND total > 0 OR id = $2')).toEqual(['invoices:OR']));
  it('orWithSharedNullRows ok', () => expectNoFindings('SELECT * FROM invoices WHERE org_id = $1 OR org_id IS NULL'));
  it('parenthesisedOrInsideTenantPredicate ok', () => expectNoFindings('SELECT * FROM invoices WHERE org_id = $1 AND (id = $2 OR total = $3)'));
  it('cteIsCheckedWhereItIsDefined err', () => expect(expectFindings('WITH x AS (SELECT * FROM invoices WHERE id = $1) SELECT * FROM x')).toEqual(['invoices:LEAK']));
  it('subqueryInFromIsItsOwnScope err', () => expect(expectFindings('SELECT * FROM (SELECT * FROM invoices) s')).toEqual(['invoices:LEAK']));
  it('correlatedExistsJoinsOuterTenant ok', () => expectNoFindings('SELECT * FROM invoices i WHERE i.org_id = $1 AND EXISTS (SELECT 1 FROM members m WHERE m.org_id = i.org_id)'));
  it('updateFromAndDeleteUsing err', () => {
    expect(expectFindings('UPDATE invoices i SET total = 0 FROM members m WHERE m.org_id = $1 AND i.id = m.id')).toEqual(['i:LEAK']);
    expect(expectFindings('DELETE FROM invoices i USING members m WHERE m.org_id = $1 AND i.id = m.id')).toEqual(['i:LEAK']);
  });
  it('insertSelectReadsLikeSelect err', () => expect(expectFindings('INSERT INTO members (id, org_id) SELECT id, org_id FROM invoices WHERE id = $1')).toEqual(['invoices:LEAK']));
  it('insertValuesIsNotARead ok', () => expectNoFindings('INSERT INTO invoices (id, org_id) VALUES ($1, $2)'));
  it('cteOfAnUpdateIsNotATable ok', () =>
    expect(uses('WITH ordered AS (SELECT id FROM invoices WHERE org_id = $1) UPDATE invoices i SET total = 0 FROM ordered o WHERE i.id = o.id AND i.org_id = $1')).toEqual(['invoices:ok', 'i:ok']));
  it('cteOfAnUpdateIsCheckedWhereDefined err', () =>
    expect(expectFindings('WITH ordered AS (SELECT id FROM invoices WHERE total > $1) UPDATE members m SET org_id = m.org_id FROM ordered o WHERE m.id = o.id AND m.org_id = $2')).toEqual(['invoices:LEAK']));
  it('upsertOnANamedConstraintIsNotDecided', () => {
    const analyzer = new SqlQueryAnalyzer((name) => TABLES[name]);
    const [use] = analyzer.analyze('INSERT INTO invoices (id, org_id) VALUES ($1, $2) ON CONFLICT ON CONSTRAINT invoices_pkey DO UPDATE SET total = 0').flatMap((st) => st.uses);
    expect(use).toMatchObject({ constrained: false, undecided: expect.stringContaining('invoices_pkey') });
  });
  it('insertValuesIsAWriteOfItsTable ok', () => expect(uses('INSERT INTO invoices (id, org_id) VALUES ($1, $2)')).toEqual(['invoices:ok']));
  it('upsertDoNothingWritesOnlyItsRows ok', () => expect(uses('INSERT INTO invoices (id, org_id) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING')).toEqual(['invoices:ok']));
  it('upsertOnTenantConflictTarget ok', () => expect(uses('INSERT INTO invoices (id, org_id, total) VALUES ($1, $2, $3) ON CONFLICT (org_id, id) DO UPDATE SET total = excluded.total')).toEqual(['invoices:ok']));
  it('upsertUpdatingByIdAloneChangesAnotherTenantsRow err', () =>
    expect(expectFindings('INSERT INTO invoices (id, org_id, total) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET total = excluded.total')).toEqual(['invoices:LEAK']));
  it('unionBranchesAreEachChecked err', () => expect(expectFindings('SELECT id FROM invoices WHERE org_id = $1 UNION SELECT id FROM members')).toEqual(['members:LEAK']));
  it('globalTableNeedsNoFilter ok', () => expectNoFindings('SELECT * FROM plans'));
  it('quotedAndSchemaQualifiedNames ok', () => expectNoFindings('SELECT * FROM public."invoices" WHERE "org_id" = $1'));
  it('filterSubqueryUnderConstrainedOuter ok', () => expectNoFindings('SELECT * FROM invoices WHERE org_id = $1 AND id IN (SELECT invoice_id FROM invoice_lines WHERE id = $2)'));
  it('filterSubqueryUnderUnconstrainedOuter err', () => expect(expectFindings('SELECT * FROM invoices WHERE id IN (SELECT invoice_id FROM invoice_lines)')).toEqual(['invoice_lines:LEAK', 'invoices:LEAK']));
  it('unparseableSqlThrows err', () => expect(() => uses('SELEC * FROM invoices')).toThrow());
});
