import type { TSESTree } from '@typescript-eslint/types';
import { findByName, T, textOf, unwrap, type FileUnit, type Node } from './ast.js';
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

/** The verified session objects: `req.user`, `ctx.state.user`, `ctx.session.user`, `session`, `session.user`. */
const SESSION_OBJECT = /^(?:_*(?:req|request|ctx|context)\.(?:state\.)?(?:user|session|session\.user)|session|session\.user)$/;
/** What the client sends, never the session, whatever follows. */
const REQUEST_PART = /(^|\.)(body|query|params|headers|cookies|input|args)(\.|$)/;

function normalised(text: string): string {
  return text.replace(/\s+/g, '').replace(/[?!]\./g, '.');
}

/** `req.user.team_member_id` -> `team_member_id`. */
export function sessionMember(text: string): string | undefined {
  const flat = normalised(text);
  if (REQUEST_PART.test(flat)) return undefined;
  const at = flat.lastIndexOf('.');
  if (at < 0) return undefined;
  const field = flat.slice(at + 1);
  return SESSION_OBJECT.test(flat.slice(0, at)) && /^[A-Za-z_$][\w$]*$/.test(field) ? field : undefined;
}

/**
 * The session field a filter value holds: read in place (`req.user?.team_member_id`), or a local
 * bound once to one (`const memberId = req.user.team_member_id`, `const { team_member_id } = req.user`).
 */
export function sessionFieldOf(value: string, at: Node, unit: FileUnit): string | undefined {
  const direct = sessionMember(value);
  if (direct) return direct;
  const name = normalised(value);
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
  if (def.node.id.type !== T.ObjectPattern || !SESSION_OBJECT.test(normalised(textOf(unit, init)))) return undefined;
  return patternKey(def.node.id, def.name);
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
