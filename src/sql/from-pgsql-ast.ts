/** pgsql-ast-parser's tree -> the statement model (the same model libpg-query's tree becomes). */
import type {
  AlterTableStatement,
  CreateColumnDef,
  CreateIndexStatement,
  CreateTableStatement,
  DataTypeDef,
  QName,
  Statement,
  TableAlteration,
  TableConstraint as AstConstraint,
} from 'pgsql-ast-parser';
import type { ConvertContext } from './convert-context.js';
import type { AlterTableAction, ColumnDefinition, QualifiedName, SqlStatement, TableConstraint } from './statements.js';
import { canonicalType, impliesNotNull } from './statements.js';

function qname(name: QName): QualifiedName {
  return name.schema ? { schema: name.schema, name: name.name } : { name: name.name };
}

function typeText(type: DataTypeDef): string {
  let depth = 0;
  let base = type;
  while (base.kind === 'array') {
    depth++;
    base = base.arrayOf;
  }
  return canonicalType({ schema: base.schema, name: base.name, quoted: base.doubleQuoted === true }, base.config ?? [], depth);
}

function column(def: CreateColumnDef, ctx: ConvertContext): ColumnDefinition {
  const type = typeText(def.dataType);
  const result: ColumnDefinition = {
    name: def.name.name,
    type,
    notNull: impliesNotNull(type),
    primaryKey: false,
    unique: false,
    location: ctx.at(def._location?.start, false),
  };
  for (const constraint of def.constraints ?? []) {
    switch (constraint.type) {
      case 'not null':
      case 'add generated':
        result.notNull = true;
        break;
      case 'null':
        result.notNull = false;
        break;
      case 'primary key':
        result.primaryKey = true;
        break;
      case 'unique':
        result.unique = true;
        break;
      case 'reference': {
        const refColumn = constraint.foreignColumns[0]?.name;
        const table = qname(constraint.foreignTable);
        result.references = refColumn === undefined ? { table } : { table, column: refColumn };
        break;
      }
      default:
        break;
    }
  }
  return result;
}

function tableConstraint(constraint: AstConstraint): TableConstraint | undefined {
  const name = constraint.constraintName ? { name: constraint.constraintName.name } : {};
  switch (constraint.type) {
    case 'primary key':
      return { kind: 'PrimaryKey', columns: constraint.columns.map((c) => c.name), ...name };
    case 'unique':
      return { kind: 'Unique', columns: constraint.columns.map((c) => c.name), ...name };
    case 'foreign key':
      return {
        kind: 'ForeignKey',
        columns: constraint.localColumns.map((c) => c.name),
        refTable: qname(constraint.foreignTable),
        refColumns: constraint.foreignColumns.map((c) => c.name),
        ...name,
      };
    default:
      return undefined;
  }
}

function createTable(stmt: CreateTableStatement, ctx: ConvertContext): SqlStatement {
  const columns: ColumnDefinition[] = [];
  for (const def of stmt.columns) if (def.kind === 'column') columns.push(column(def, ctx));
  const constraints: TableConstraint[] = [];
  for (const c of stmt.constraints ?? []) {
    const converted = tableConstraint(c);
    if (converted) constraints.push(converted);
  }
  return { kind: 'CreateTable', table: qname(stmt.name), ifNotExists: stmt.ifNotExists === true, columns, constraints, ...ctx.base('pgsql-ast-parser') };
}

function alterAction(change: TableAlteration, ctx: ConvertContext): AlterTableAction | undefined {
  switch (change.type) {
    case 'rename':
      return { kind: 'RenameTable', to: change.to.name };
    case 'rename column':
      return { kind: 'RenameColumn', from: change.column.name, to: change.to.name };
    case 'rename constraint':
      return { kind: 'RenameConstraint', from: change.constraint.name, to: change.to.name };
    case 'add column':
      return { kind: 'AddColumn', column: column(change.column, ctx), ifNotExists: change.ifNotExists === true };
    case 'drop column':
      return { kind: 'DropColumn', column: change.column.name, ifExists: change.ifExists === true };
    case 'alter column': {
      const name = change.column.name;
      if (change.alter.type === 'set not null') return { kind: 'SetNotNull', column: name };
      if (change.alter.type === 'drop not null') return { kind: 'DropNotNull', column: name };
      if (change.alter.type === 'set type') return { kind: 'SetColumnType', column: name, type: typeText(change.alter.dataType) };
      return undefined;
    }
    case 'add constraint': {
      const constraint = tableConstraint(change.constraint);
      return constraint ? { kind: 'AddConstraint', constraint } : undefined;
    }
    case 'drop constraint':
      return { kind: 'DropConstraint', name: change.constraint.name, ifExists: change.ifExists === true };
    default:
      return undefined;
  }
}

function alterTable(stmt: AlterTableStatement, ctx: ConvertContext): SqlStatement {
  const actions: AlterTableAction[] = [];
  for (const change of stmt.changes) {
    const action = alterAction(change, ctx);
    if (action) actions.push(action);
  }
  return { kind: 'AlterTable', table: qname(stmt.table), ifExists: stmt.ifExists === true, actions, ...ctx.base('pgsql-ast-parser') };
}

function createIndex(stmt: CreateIndexStatement, ctx: ConvertContext): SqlStatement {
  const columns = stmt.expressions.map((e) => {
    if (e.expression.type === 'ref' && !e.expression.table) return e.expression.name;
    const span = e.expression._location;
    return span ? ctx.text.slice(span.start, span.end) : '?';
  });
  return {
    kind: 'CreateIndex',
    ...(stmt.indexName ? { name: stmt.indexName.name } : {}),
    table: qname(stmt.table),
    columns,
    unique: stmt.unique === true,
    ifNotExists: stmt.ifNotExists === true,
    ...ctx.base('pgsql-ast-parser'),
  };
}

function pascal(type: string): string {
  return type
    .split(/\s+/)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}

/** One pgsql-ast-parser statement in the model. */
export function fromPgsqlAst(stmt: Statement, ctx: ConvertContext): SqlStatement {
  switch (stmt.type) {
    case 'create table':
      return createTable(stmt, ctx);
    case 'alter table':
      return alterTable(stmt, ctx);
    case 'create index':
      return createIndex(stmt, ctx);
    case 'drop table':
      return { kind: 'DropTable', tables: stmt.names.map(qname), ifExists: stmt.ifExists === true, ...ctx.base('pgsql-ast-parser') };
    case 'create materialized view':
      return {
        kind: 'CreateTableAs',
        table: qname(stmt.name),
        relation: 'materializedView',
        columns: (stmt.columnNames ?? []).map((c) => c.name),
        ifNotExists: stmt.ifNotExists === true,
        ...ctx.base('pgsql-ast-parser'),
      };
    case 'drop index':
      return { kind: 'DropIndex', names: stmt.names.map(qname), ifExists: stmt.ifExists === true, ...ctx.base('pgsql-ast-parser') };
    case 'alter index':
      if (stmt.change.type === 'rename') return { kind: 'RenameIndex', index: qname(stmt.index), to: stmt.change.to.name, ...ctx.base('pgsql-ast-parser') };
      return { kind: 'Other', other: 'AlterIndex', ...ctx.base('pgsql-ast-parser') };
    default:
      return { kind: 'Other', other: pascal(stmt.type), ...ctx.base('pgsql-ast-parser') };
  }
}
