import type { TSESTree } from '@typescript-eslint/types';
import { T, unwrap } from '../../core/ast.js';
import type { SessionSetting } from '../../core/facts.js';
import { stringOf } from '../../core/syntax.js';

/**
 * Database session settings given a value, which row-level security policies read:
 * `` sql`SELECT set_config('app.current_org', ${orgId}, true)` ``, `SET LOCAL app.org_id = ...`,
 * `query("SELECT set_config('app.tenant_id', $1, true)", [orgId])`, `$executeRawUnsafe(text, orgId)`.
 */
export function sessionSettings(node: TSESTree.CallExpression | TSESTree.TaggedTemplateExpression): SessionSetting[] {
  if (node.type === T.TaggedTemplateExpression) return templateSettings(node.quasi);
  const first = node.arguments[0] ? unwrap(node.arguments[0]) : undefined;
  if (first?.type === T.TemplateLiteral && first.expressions.length > 0) return templateSettings(first);
  const text = stringOf(first);
  if (!text || !/set_config|\bset\s/i.test(text)) return [];
  const settings: SessionSetting[] = [];
  const pattern = /set_config\s*\(\s*'([^']+)'\s*,\s*\$(\d+)|\bset\s+(?:local\s+|session\s+)?([a-z_][\w.]*)\s*(?:=|\bto\b)\s*\$(\d+)/gi;
  for (const match of text.matchAll(pattern)) {
    const setting = match[1] ?? match[3] ?? '';
    const position = Number(match[2] ?? match[4]);
    const values = node.arguments[1] ? unwrap(node.arguments[1]) : undefined;
    const value = values?.type === T.ArrayExpression ? values.elements[position - 1] : node.arguments[position];
    if (value && value.type !== T.SpreadElement) settings.push({ setting, value, node });
  }
  return settings;
}

function templateSettings(template: TSESTree.TemplateLiteral): SessionSetting[] {
  const settings: SessionSetting[] = [];
  let prefix = '';
  template.expressions.forEach((expression, index) => {
    prefix += template.quasis[index]?.value.cooked ?? '';
    const setting = settingBefore(prefix);
    if (setting) settings.push({ setting, value: expression, node: expression });
    prefix += '?';
  });
  return settings;
}

function settingBefore(prefix: string): string | undefined {
  const match = /set_config\s*\(\s*'([^']+)'\s*,\s*$|\bset\s+(?:local\s+|session\s+)?([a-z_][\w.]*)\s*(?:=|\bto\b)\s*'?$/i.exec(prefix);
  return match?.[1] ?? match?.[2];
}
