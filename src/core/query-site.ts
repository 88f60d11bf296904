import type { TSESTree } from '@typescript-eslint/types';
import type { TenantLintConfig } from './options.js';
import type { FileUnit, Node } from './ast.js';
import type { Resolver } from './resolve.js';
import type { Table, TenantSchema } from './schema.js';

export type Operation = 'read' | 'update' | 'delete' | 'insert';

/** Does the query constrain the tenant? Normalised from each ORM's own filter syntax. */
export type Predicate =
  /**
   * `mayBeUndefined`: the value's type includes `undefined` (type information only), and no other conjunct scopes.
   * `value`: the expression the tenant key is compared with, when there is one (for the type-aware check).
   * `condition`: the tenant key is applied only when this holds (`...(org ? { orgId: org } : {})`), and no other conjunct scopes.
   * `credential`: found by this unique secret column (see credentialScope), whatever tenant it names. */
  | { kind: 'scoped'; via: string; value?: Node; mayBeUndefined?: boolean; condition?: Node; credential?: string }
  /**
   * `bySession`: the query would be scoped if these values, parameters of the query's function, held
   * a value of the verified session (`t.user_id = $2` with `$2` the parameter `owner_id`: the root rows
   * that person owns): decided on each path by what the caller passes (`req.user.owner_id`), with `via`
   * saying what the session value would pin.
   */
  | { kind: 'unscoped'; detail: string; bySession?: { values: Node[]; via: string } }
  /** An `OR` whose branch lacks the tenant predicate, with nothing else scoping the query. */
  | { kind: 'or-bypass'; branch: Node }
  | { kind: 'unknown'; reason: string };

/** How the receiver of a query was identified. */
export type ClientInfo =
  | { kind: 'client'; scoped: boolean; how: string }
  | { kind: 'not-client'; how: string }
  /**
   * A client that reaches the database as a role row-level security applies to (supabase-js):
   * `service-role` bypasses RLS; `user` (anon key, user JWT) is isolated when the table's RLS
   * compares the tenant; `unknown`: a client whose key the analysis cannot tell.
   */
  | { kind: 'rls-client'; key: 'service-role' | 'user' | 'unknown'; how: string }
  | { kind: 'unknown'; reason: string };

/** A tenant-relevant problem inside a query that is not about its filter (e.g. a nested connect by id). */
export interface NestedIssue {
  messageId: 'connectWithoutTenant';
  node: Node;
  target: Table;
}

/** The fact a recognizer hands the policy: one database call and what it constrains. */
export interface QuerySite {
  orm: string;
  table: Table;
  operation: Operation;
  method: string;
  /** The span to report: the callee (`prisma.invoice.findMany`). */
  callee: Node;
  calleeText: string;
  call: TSESTree.CallExpression;
  client: ClientInfo;
  predicate: Predicate;
  /** The object literal a suggestion can insert the tenant key into, when there is one. */
  whereObject?: TSESTree.ObjectExpression;
  /** The call's first argument object, when the query has no `where` at all. */
  argsObject?: TSESTree.ObjectExpression;
  /** Top-level `where` keys with the source text of their values (`{ id: 'emailId' }`), for provenance. */
  whereKeys?: Record<string, string>;
  /**
   * Equality (and `.in`) conjuncts of a chained filter, by column as written (`.eq('user_id', v)`,
   * `.in('group_id', ids)`, `.where('user_id', v)`, `.where('user_id', '=', v)`): where a policy
   * finds the user a membership lookup pins beside the tenant key, or the parent a child is keyed
   * by. Object filters are read from the object itself.
   */
  equalities?: { column: string; value: Node }[];
  /**
   * Raw SQL: each column compared with a parameter whose value the call shows (`WHERE id = $1` with
   * `[userId]`). Read only where a policy asks whose row it is (the verified user's own row or
   * address), never as a parent's verified key (see raw-sql.ts filterKeys).
   */
  keyValues?: { column: string; value: Node }[];
  nested: NestedIssue[];
  /** The values an insert or update writes (`data`, `.values(...)`, `.set(...)`, `create(values)`), for mass-assignment checks. */
  data?: Node;
  /** ORM-specific wording of the fix, in the ORM's own syntax (`Add \`tenantId\` to \`where\``): replaces the Prisma default. */
  fix?: { missing: string; orBypass?: string };
  /** Raw SQL: the alias and the span of the table name inside the SQL string, reported instead of the callee. */
  sql?: { alias: string; span?: { line: number; column: number; endLine: number; endColumn: number } };
}

export interface AnalysisContext {
  unit: FileUnit;
  schema: TenantSchema;
  config: TenantLintConfig;
  resolver: Resolver;
  /** The project's root: where the call graph looks for the callers of a function. */
  root?: string;
  /** Test files (their calls are not callers) and system code, by path relative to a root. */
  isTestPath?: (relativePath: string) => boolean;
  isSystemPath?: (relativePath: string) => boolean;
  /** The recognizers that apply to this project (all when absent). */
  recognizers?: OrmRecognizer[];
  /** See OrmRecognizer.statementOf: asked of every recognizer that applies. */
  statementOf?: (fn: TSESTree.FunctionLike, unit: FileUnit) => TSESTree.CallExpression | undefined;
}

/** One recognizer per ORM, shaped like a knip plugin: cheap to skip when its package is absent. */
export interface OrmRecognizer {
  name: string;
  /** Packages whose presence in a project enables the recognizer. */
  enablers: string[];
  recognize(call: TSESTree.CallExpression, context: AnalysisContext): QuerySite | undefined;
  /**
   * Every site of the call, when one call may query several tables (a Knex base store's
   * `this.db(this.tableName)`, one table per subclass); `recognize` gives the first.
   */
  recognizeAll?(call: TSESTree.CallExpression, context: AnalysisContext): QuerySite[];
  /**
   * A callback the library runs while it builds a statement (Kysely's `.where((eb) => ...)`): the call
   * that runs the statement, which decides who reaches the callback. Not a handler registration.
   */
  statementOf?(fn: TSESTree.FunctionLike, context: AnalysisContext): TSESTree.CallExpression | undefined;
}

/**
 * `apiKey.findUnique({ where: { hashedKey } })`, `WHERE token = $1`: a lookup by a unique secret (see
 * isCredentialColumn) finds the row that names its tenant. One wording for every recognizer; the
 * column is kept so that a lookup whose row is only tested for existence can be told apart.
 */
export function credentialScope(column: string): Extract<Predicate, { kind: 'scoped' }> {
  return { kind: 'scoped', via: `\`${column}\`, a unique secret: a credential lookup finds the row that names its tenant`, credential: column };
}
