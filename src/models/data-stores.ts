/**
 * Data stores tenant-lint does not read: a project that depends on one keeps tenant data where no
 * rule looks (openpanel's events in ClickHouse, 130 query-builder calls that were neither analysed
 * nor counted). The scan says so, once per package.json that depends on one, instead of reporting a
 * coverage that silently leaves them out. Data, not code: the package names and what they are.
 * ClickHouse is read (src/orm/raw-sql.ts, src/schema/clickhouse.ts) where the project has its DDL;
 * the scan leaves it out of this diagnostic then.
 */
import { readJson } from '../project/workspaces.js';

export const UNREAD_STORES: ReadonlyArray<{ package: string; store: string }> = [
  { package: '@clickhouse/client', store: 'ClickHouse' },
  { package: '@clickhouse/client-web', store: 'ClickHouse' },
  { package: 'clickhouse', store: 'ClickHouse' },
  { package: '@google-cloud/bigquery', store: 'BigQuery' },
  { package: 'cassandra-driver', store: 'Cassandra' },
  { package: '@aws-sdk/client-dynamodb', store: 'DynamoDB' },
  { package: '@aws-sdk/lib-dynamodb', store: 'DynamoDB' },
  { package: '@elastic/elasticsearch', store: 'Elasticsearch' },
  { package: '@opensearch-project/opensearch', store: 'OpenSearch' },
  { package: '@google-cloud/firestore', store: 'Firestore' },
  { package: 'firebase-admin', store: 'Firestore' },
];

/** The stores of UNREAD_STORES a package.json depends on (dependencies and peer dependencies: what runs). */
export function unreadStores(packageJson: string): { package: string; store: string }[] {
  const pkg = readJson(packageJson);
  if (typeof pkg !== 'object' || pkg === null) return [];
  const names = new Set<string>();
  for (const field of ['dependencies', 'peerDependencies']) {
    const deps = Reflect.get(pkg, field);
    if (typeof deps === 'object' && deps !== null) for (const name of Object.keys(deps)) names.add(name);
  }
  return UNREAD_STORES.filter((s) => names.has(s.package));
}
