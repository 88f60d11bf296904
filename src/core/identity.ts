import type { TSESTree } from '@typescript-eslint/types';
import { memberName, T, unwrap, walk, type Node } from './ast.js';

/*
 * Where the verified caller's identity is read in code: the one reading shared by the rules
 * (require-tenant-filter's paths and session keys, raw SQL's trusted parameters). An expression
 * reads the identity when its member path starts with a verified session object: a request carrier
 * a framework hands the handler, then the session hung off it by authentication (`req.user`,
 * `ctx.session.user`, `ctx.state.user`, `event.locals.user`); or a local named `session`; or, known
 * only by its name, a local named like the identity (`user`, `auth.user`, `currentUser`). Nothing
 * read through a part of the request the client writes (`req.body.userId`, `input.userId`) is.
 * Each rule decides which of these it accepts (`via`).
 */

/** Names that stand for the verified caller: the user, the session, the auth context. */
export const IDENTITY_NAME = /^(user|userId|uid|session|sessionUser|currentUser|authUser|viewer|actor|auth|authContext|principal|requester|requestingUser|me|identity|claims)$/i;

/**
 * The verified object's own segments (`user`, `session`, `auth`...): `IDENTITY_NAME` less the ids. An
 * operator console's middleware hangs the signed-in operator there too (`ctx.state.admin`, `req.admin`).
 */
const SESSION_SEGMENT = /^(user|admin|session|sessionUser|currentUser|authUser|viewer|actor|auth|authContext|principal|requester|requestingUser|me|identity|claims)$/i;

/** An id of the verified user read straight off a request carrier: `ctx.userId`, `req.user_id`, `ctx.activeUserId`. */
const CARRIER_USER_ID = /^(active|current|session|auth)?(userId|user_id|uid)$/i;

/** The objects a framework hands a handler for the request; authentication hangs the session off them. */
export const REQUEST_CARRIERS = new Set(['req', 'request', 'ctx', 'context', 'c', 'event']);

/** Between a carrier and the session: `ctx.state.user` (Koa), `event.locals.user` (SvelteKit), `res.locals.user`. */
const HOLDERS = new Set(['state', 'locals']);

/** Parts of the request the client writes, and what handlers name them: nothing read through one is the session. */
export const CLIENT_PARTS = new Set(['body', 'query', 'params', 'param', 'input', 'valid', 'json', 'formData', 'searchParams', 'headers', 'header', 'cookies', 'args', 'dto']);

export interface IdentityRead {
  /** The verified object: `['req', 'user']`, `['ctx', 'session', 'user']`, `['session']`. */
  object: string[];
  /**
   * What is read off it: `['team_id']`; empty for the object itself. Every field of the verified
   * object was set by the server when it authenticated the caller: the caller's own id, their tenant
   * (`team_id`), the owner of their tenant (`owner_id`, worklenz). None is the client's choice, so
   * each may stand for a value of the session; which one fits where is the compared column's to say
   * (a root's owner column takes a person: `teams.user_id = req.user.owner_id`).
   */
  field: string[];
  /**
   * How it is known: `request`, through a request carrier (`req.user`, `ctx.userId`); `session`, a
   * local named `session`; `name`, only a local's name (`user.id`, `auth.user.id`, `currentUser`).
   */
  via: 'request' | 'session' | 'name';
}

/** Reads `path` (`['req', 'user', 'team_id']`) as a read of the verified identity, or undefined. */
export function identityRead(path: readonly string[]): IdentityRead | undefined {
  if (path.length === 0 || path.some((part) => CLIENT_PARTS.has(part))) return undefined;
  const root = path[0]!.replace(/^_+/, '');
  let at = 1;
  let via: IdentityRead['via'];
  if (REQUEST_CARRIERS.has(root)) {
    while (at < path.length && HOLDERS.has(path[at]!)) at++;
    const next = path[at];
    if (next === undefined) return undefined;
    // `ctx.userId`: the carrier holds the verified user's id itself.
    if (CARRIER_USER_ID.test(next)) return { object: path.slice(0, at), field: path.slice(at), via: 'request' };
    if (!SESSION_SEGMENT.test(next)) return undefined;
    at++;
    via = 'request';
  } else if (/^session$/i.test(root)) via = 'session';
  else if (IDENTITY_NAME.test(root)) via = 'name';
  else return undefined;
  // `ctx.session.user`, `session.user`, `auth.user`: the user inside the session is verified too.
  while (at < path.length && SESSION_SEGMENT.test(path[at]!)) at++;
  return { object: path.slice(0, at), field: path.slice(at), via };
}

/**
 * The member path of an expression: `req.user?.team_id` is `['req', 'user', 'team_id']`,
 * `this.user.id` is `['this', 'user', 'id']`. Undefined for a call or a computed member on the way.
 */
export function memberPath(node: Node): string[] | undefined {
  const names: string[] = [];
  let current = unwrap(node);
  while (current.type === T.MemberExpression) {
    const name = memberName(current);
    if (!name) return undefined;
    names.unshift(name);
    current = unwrap(current.object);
  }
  if (current.type === T.Identifier) names.unshift(current.name);
  else if (current.type === T.ThisExpression) names.unshift('this');
  else return undefined;
  return names;
}

/** A read of the verified identity through a request carrier: `ctx.userId`, `req.user.orgId`, `ctx.state.user`. */
export function carriesIdentity(node: Node): boolean {
  const path = memberPath(node);
  return path !== undefined && identityRead(path)?.via === 'request';
}

/** `req.user?.team_id` as text: the same path, or undefined when the text is not a plain member path. */
export function textPath(text: string): string[] | undefined {
  const flat = text.replace(/\s+/g, '').replace(/[?!]\./g, '.');
  const parts = flat.split('.');
  return parts.every((part) => /^[A-Za-z_$][\w$]*$/.test(part)) ? parts : undefined;
}

/** Columns that hold a secret the client presents to authenticate: the row found by one is the presenter's own. */
const CREDENTIAL_COLUMN = /^(token|sessionToken|session_token|tokenHash|token_hash|hashedToken|hashed_token|apiKey|api_key|keyHash|key_hash)$/;
const CREDENTIAL_SQL = /\b(?:\w+\.)?(token|session_token|token_hash|hashed_token|api_key|key_hash)\s*=\s*[:$?@]/i;

/**
 * `await repo.createQueryBuilder('session').where('session.token = :token', { token }).getOne()`,
 * `await db.session.findUnique({ where: { token } })`: a lookup of a row by the secret the client
 * presents (vendure's findSessionByToken, judged G090). Whoever holds the secret is that row's owner:
 * the row found is the caller's own session. The secret must be a value, not a literal.
 */
export function foundByCredential(init: Node): boolean {
  const call = unwrap(init);
  if (call.type !== T.CallExpression) return false;
  let found = false;
  walk(call, (node) => {
    if (found) return;
    if (node.type === T.Property && !node.computed) {
      const key = node.key.type === T.Identifier ? node.key.name : node.key.type === T.Literal ? String(node.key.value) : '';
      const value = unwrap(node.value as Node);
      if (CREDENTIAL_COLUMN.test(key) && value.type !== T.Literal && !isFunction(value) && value.type !== T.ObjectExpression) found = true;
    } else if (node.type === T.Literal && typeof node.value === 'string' && CREDENTIAL_SQL.test(node.value)) found = true;
  });
  return found;
}

function isFunction(node: Node): node is TSESTree.FunctionLike {
  return node.type === T.ArrowFunctionExpression || node.type === T.FunctionExpression;
}
