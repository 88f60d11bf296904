import type { TSESTree } from '@typescript-eslint/types';
import { findByName, T, textOf, unwrap, type FileUnit, type Node } from './ast.js';
import { identityRead, memberPath, textPath } from './identity.js';
import type { TenantLintConfig } from './options.js';
import { tenantKeyNames, type TenantSchema } from './schema.js';

/** Words that name a tenant in code when the schema does not say otherwise. */
const TENANT_WORDS = ['tenant', 'org', 'organization', 'organisation', 'workspace', 'team', 'account', 'company'];

/**
 * What counts as a tenant identifier in code, shared by the rules that follow tenant values
 * (no-client-tenant-id, require-tenant-cache-key): the schema's tenant keys (`orgId`,
 * `workspace_id`), configured keys, and the usual names (`tenantId`, `organizationId`,
 * `x-tenant-id`, `ctx.state.tenant`).
 */
export class TenantNames {
  private readonly keys: Set<string>;
  private readonly normalisedKeys: Set<string>;

  constructor(schema: TenantSchema, config: TenantLintConfig) {
    this.keys = tenantKeyNames(schema, config);
    // A second link to the root (`keys.forWorkspaceId`) scopes a filter as the key does, so a client's value for it is the client choosing the tenant.
    for (const table of schema.tables.values()) for (const link of table.tenantLinks ?? []) this.keys.add(link);
    this.normalisedKeys = new Set([...this.keys].map(normalise));
    if (schema.root) this.normalisedKeys.add(normalise(`${schema.root}Id`));
  }

  /** `orgId`, `org_id`, `tenantId`, `x-tenant-id`, `workspaceID`, `tenant` (as an object). */
  isTenantId(name: string): boolean {
    const n = normalise(name).replace(/^x/, '');
    if (this.normalisedKeys.has(n) || this.normalisedKeys.has(normalise(name))) return true;
    return TENANT_WORDS.some((word) => n === `${word}id` || n === `current${word}id` || n === `active${word}id` || n === `${word}slug`);
  }

  /** A tenant context object: `tenant`, `org`, `workspace`, `currentTenant`. */
  isTenantObject(name: string): boolean {
    const n = normalise(name);
    return TENANT_WORDS.some((word) => n === word || n === `current${word}` || n === `active${word}`);
  }
}

function normalise(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/**
 * Whether a function or variable name mentions a tenant word as one of its words (`withTenant`,
 * `orgScopedKey`, not `forgotPassword`): a hint that code may add the tenant, never proof of it.
 */
export function mentionsTenantWord(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  return words.some((word) => TENANT_WORDS.includes(word));
}

/**
 * `req.user.team_member_id` -> `team_member_id`: a field read straight off the verified session
 * (src/core/identity.ts), through a request carrier or a `session` local; not a local known only by
 * its name (`user.team_id`), nor anything the client sends.
 */
export function sessionMember(text: string): string | undefined {
  const path = textPath(text);
  const read = path && identityRead(path);
  return read && read.via !== 'name' && read.field.length === 1 ? read.field[0] : undefined;
}

/**
 * The session field a filter value holds: read in place (`req.user?.team_member_id`), or a local
 * bound once to one (`const memberId = req.user.team_member_id`, `const { team_member_id } = req.user`).
 */
export function sessionFieldOf(value: string, at: Node, unit: FileUnit): string | undefined {
  const direct = sessionMember(value);
  if (direct) return direct;
  const name = value.replace(/\s+/g, '');
  if (!/^[A-Za-z_$][\w$]*$/.test(name)) return undefined;
  const variable = findByName(unit.scopeManager, at, name);
  const def = variable?.defs.length === 1 ? variable.defs[0] : undefined;
  if (!variable || def?.type !== 'Variable' || def.node.type !== T.VariableDeclarator || !def.node.init) return undefined;
  // Bound once: a later assignment could hold anything.
  if (variable.references.some((ref) => ref.isWrite() && !ref.init)) return undefined;
  const init = unwrap(def.node.init);
  if (def.node.id.type === T.Identifier) {
    return init.type === T.MemberExpression ? sessionMember(textOf(unit, init)) : undefined;
  }
  if (def.node.id.type !== T.ObjectPattern || !isSessionObject(init)) return undefined;
  return patternKey(def.node.id, def.name);
}

/** `req.user`, `ctx.session.user`, `session`: the verified session object itself, destructured. */
function isSessionObject(node: Node): boolean {
  const path = memberPath(node);
  const read = path && identityRead(path);
  return Boolean(read && read.via !== 'name' && read.field.length === 0);
}

/** The key a destructuring reads into `name` (`{ team_member_id }`, `{ team_member_id: memberId }`). */
function patternKey(pattern: TSESTree.ObjectPattern, name: TSESTree.Identifier): string | undefined {
  for (const property of pattern.properties) {
    if (property.type !== T.Property || property.computed) continue;
    const target: Node = property.value.type === T.AssignmentPattern ? property.value.left : property.value;
    if (target !== name) continue;
    return property.key.type === T.Identifier ? property.key.name : property.key.type === T.Literal ? String(property.key.value) : undefined;
  }
  return undefined;
}
