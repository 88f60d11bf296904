/**
 * Reads through a project's own TypeORM connection class that take an entity class and an id:
 * Vendure's `this.connection.getEntityOrThrow(ctx, Product, id, { channelId })` and
 * `this.connection.findOneInChannel(ctx, Product, id, channelId)`. The class is recognised by
 * structure (an instance of a project class one of whose methods returns TypeORM's repository or
 * manager, see `typeormWrapperClass`), the method by its signature: a parameter that receives an
 * entity of the schema, followed by one that receives the id. The row is found by that id; it is the
 * tenant's when a parameter named as the tenant root's key (`channelId`) is given a value, or an
 * options object passes one (`{ channelId: ctx.channelId }`).
 */
import type { TSESTree } from '@typescript-eslint/types';
import { propertyName, T, textOf, unwrap, type Node } from '../core/ast.js';
import type { AnalysisContext, Predicate, QuerySite } from '../core/query-site.js';
import { resolveObject, isNullish } from './object-filter.js';
import { entityTable, typeormWrapperClass } from './typeorm-receiver.js';

/** Names of methods that read one row (`getEntityOrThrow`, `findOneInChannel`, `loadById`). */
const READ = /^(get|find|fetch|load|read)[A-Z]/;
/** A parameter that takes a row's id. */
const ID_PARAMETER = /^(id|\w+Id)$/;

export function projectMethodSite(call: TSESTree.CallExpression, callee: TSESTree.MemberExpression, method: string, context: AnalysisContext): QuerySite | undefined {
  if (!READ.test(method) || call.arguments.length < 2) return undefined;
  const root = context.schema.root ? context.schema.tables.get(context.schema.root) : undefined;
  if (!root) return undefined;
  const args = call.arguments;
  // The entity: an identifier argument that names an entity of the schema (a context may come first).
  let index = -1;
  let table;
  for (let i = 0; i < args.length - 1 && index < 0; i++) {
    const arg = args[i];
    if (!arg || unwrap(arg as Node).type !== T.Identifier) continue;
    table = entityTable(arg as Node, context.unit, context);
    if (table) index = i;
  }
  if (!table || index < 0) return undefined;
  const cls = typeormWrapperClass(callee.object, context.unit, context);
  if (!cls) return undefined;
  const definition = cls.node.body.body.find((m): m is TSESTree.MethodDefinition => m.type === T.MethodDefinition && m.kind === 'method' && propertyName(m) === method);
  if (!definition) return undefined;
  const params = definition.value.params.map((p) => (p.type === T.AssignmentPattern ? p.left : p.type === T.TSParameterProperty ? p.parameter : p));
  const paramName = (i: number) => {
    const p = params[i];
    return p?.type === T.Identifier ? p.name : p?.type === T.AssignmentPattern && p.left.type === T.Identifier ? p.left.name : undefined;
  };
  const idName = paramName(index + 1);
  if (!idName || !ID_PARAMETER.test(idName)) return undefined;
  const idArg = args[index + 1];
  const site: QuerySite = {
    orm: 'typeorm',
    table,
    operation: 'read',
    method,
    callee,
    calleeText: textOf(context.unit, callee).replace(/\s+/g, ''),
    call,
    client: { kind: 'client', scoped: false, how: `\`${method}()\` of a project connection class over TypeORM (\`${cls.node.id?.name ?? 'anonymous'}\`), given the entity and an id` },
    predicate: { kind: 'unscoped', detail: `\`${method}()\` finds the row by id alone` },
    nested: [],
  };
  if (idArg && idArg.type !== T.SpreadElement) site.whereKeys = { [table.primaryKey[0] ?? 'id']: textOf(context.unit, idArg).replace(/\s+/g, '') };
  site.predicate = predicateOf(args, index, paramName, rootKeyName(root.name), context);
  const key = rootKeyName(root.name);
  site.fix = { missing: `Pass the tenant: \`${method}(..., { ${key}: ctx.${key} })\` or the method that takes \`${key}\``, orBypass: '' };
  return site;
}

/** `Channel` → `channelId`: the name code gives the tenant root's key. */
function rootKeyName(root: string): string {
  return `${root.charAt(0).toLowerCase()}${root.slice(1)}Id`;
}

function predicateOf(args: TSESTree.CallExpressionArgument[], entityIndex: number, paramName: (i: number) => string | undefined, key: string, context: AnalysisContext): Predicate {
  for (let i = entityIndex + 2; i < args.length; i++) {
    const arg = args[i];
    if (!arg || arg.type === T.SpreadElement) continue;
    // `findOneInChannel(ctx, Product, id, channelId)`: the parameter named as the root's key.
    if (paramName(i) === key) {
      if (isNullish(arg)) return { kind: 'unscoped', detail: `\`${key}\` is given \`${textOf(context.unit, arg)}\`` };
      return { kind: 'scoped', via: `the argument \`${key}\` (\`${textOf(context.unit, arg)}\`)`, value: arg };
    }
    // `getEntityOrThrow(ctx, Product, id, { channelId: ctx.channelId })`: the option.
    const options = resolveObject(arg, context.unit, context);
    const option = options?.node.properties.find((p): p is TSESTree.Property => p.type === T.Property && propertyName(p) === key);
    if (option && !isNullish(option.value)) return { kind: 'scoped', via: `the option \`${key}\` (\`${textOf(options?.unit ?? context.unit, option.value)}\`)`, value: option.value };
  }
  return { kind: 'unscoped', detail: `the row is found by id alone: no \`${key}\` is passed` };
}

