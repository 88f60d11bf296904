import { beforeAll, describe, expect, it } from 'vitest';
import { loadSqlParsers } from '../../src/sql/libpg.js';
import { parameterPositions } from '../../src/sql/parameters.js';

beforeAll(async () => {
  await loadSqlParsers();
});

// `invoices` is tenant data keyed by `org_id`; `plans` is not.
const tenantColumns = (table: string) => (table === 'invoices' ? ['org_id'] : []);
const positions = (sql: string) => parameterPositions(sql, tenantColumns);

describe('parameters in tenant positions', () => {
  it('aComparisonWithTheTenantColumnIsAFilter ok', () => {
    expect(positions('SELECT id FROM invoices WHERE org_id = $1 AND id = $2')).toMatchObject({ filter: [1], compared: [1, 2], write: [] });
  });

  it('inAndAnyAreFilters ok', () => {
    expect(positions('SELECT id FROM invoices i WHERE i.org_id IN ($1, $2)')?.filter).toEqual([1, 2]);
    expect(positions('SELECT id FROM invoices WHERE org_id = ANY($1::uuid[])')?.filter).toEqual([1]);
  });

  it('insertedAndUpdatedTenantColumnsAreWrites ok', () => {
    expect(positions('INSERT INTO invoices (id, org_id, number) VALUES (gen_random_uuid(), $1, 1)')).toMatchObject({ write: [1], inserts: ['invoices'] });
    expect(positions('UPDATE invoices SET org_id = $1 WHERE id = $2')).toMatchObject({ write: [1], filter: [], compared: [2] });
  });

  it('aUserColumnIsAPrincipal ok', () => {
    expect(positions('SELECT 1 FROM invoices WHERE org_id = $1 AND user_id = $2')).toMatchObject({ filter: [1], principals: [2] });
  });

  it('aColumnOfATableThatIsNotTenantDataIsNoFilter ok', () => {
    expect(positions('SELECT id FROM plans WHERE org_id = $1')?.filter).toEqual([]);
  });

  it('sqlThatDoesNotParseHasNoPositions err', () => {
    expect(positions('SELEC nothing')).toBeUndefined();
  });
});
