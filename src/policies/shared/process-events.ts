import type { TSESTree } from '@typescript-eslint/types';
import { memberName, T, unwrap, variableOf, type FileUnit } from '../../core/ast.js';

/**
 * Events Node's `process` emits about the process itself: a signal from the operating system or the
 * orchestrator (`SIGTERM` at a deploy), the end of the event loop, an exception nothing caught. A
 * handler of one runs once for the whole process, never for a request.
 */
const PROCESS_EVENT = /^(SIG[A-Z0-9]+|beforeExit|exit|uncaughtException|uncaughtExceptionMonitor|unhandledRejection|warning)$/;

/**
 * `process.on('SIGTERM', () => void handleShutdown('SIGTERM'))` (latitude-llm's apps/api/src/server.ts:103):
 * a handler of a process event on Node's own `process` (the global, or `import process from 'node:process'`),
 * not a request registrar although it is named `on`. Returns the event, for the evidence. Undefined for an
 * emitter of the project's (`socket.on('message', ...)`, a local `process` variable) or another event.
 */
export function processEventOf(registration: TSESTree.CallExpression | TSESTree.NewExpression, unit: FileUnit): string | undefined {
  const callee = unwrap(registration.callee);
  if (registration.type !== T.CallExpression || callee.type !== T.MemberExpression || !['on', 'once', 'addListener', 'prependListener'].includes(memberName(callee) ?? '')) return undefined;
  const object = unwrap(callee.object);
  if (object.type !== T.Identifier || object.name !== 'process' || !nodeProcess(object, unit)) return undefined;
  const event = registration.arguments[0];
  return event?.type === T.Literal && typeof event.value === 'string' && PROCESS_EVENT.test(event.value) ? event.value : undefined;
}

/** `process` is Node's: declared nowhere in the file (the global), or imported from `process`/`node:process`. */
function nodeProcess(identifier: TSESTree.Identifier, unit: FileUnit): boolean {
  const variable = variableOf(unit.scopeManager, identifier);
  const def = variable?.defs[0];
  if (!def) return true;
  return def.type === 'ImportBinding' && def.parent?.type === T.ImportDeclaration && /^(node:)?process$/.test(String(def.parent.source.value));
}
