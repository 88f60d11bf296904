import type { TSESTree } from '@typescript-eslint/types';
import { enclosingFunction, T, unwrap, walk, type FileUnit, type Node } from '../../core/ast.js';
import type { Resolver } from '../../core/resolve.js';
import { dependencyOf } from '../../flow/packages.js';
import { classChain, type ClassNode } from '../../flow/heritage.js';

/*
 * Issue 13 (system code), session 19. crowd.dev's data sink worker hands its batch callback to `new
 * BatchProcessor(size, timeout, async (batch) => service.processResults(batch))` in the constructor of
 * `WorkerQueueReceiver`, keeps it in a private field, and feeds it from `processMessage`
 * (apps/data_sink_worker/src/queue/index.ts:62), an override of the method its base class
 * `PrioritizedQueueReciever` (`@crowd/queue`, which depends on kafkajs) hands to the queue client's consumer
 * loop. The callback runs for messages the queue delivers, not for a request. Recognised by structure:
 * the callback is an argument of a call whose result a constructor stores in a private field of its class;
 * every method of the class that reads the field is one its base classes declare, and at least one of
 * them is handed out by a base class as a value (`this.processMessage.bind(this)`, `queue.start(this.
 * processMessage)`), in a package that depends on a queue client. A public field, or a method of the class's
 * own that reads the field, may be called by anyone (a route): not system code then.
 */

/** Queue clients whose consumers run what a base receiver hands them, by package name (data, not code). */
export const QUEUE_CLIENTS: readonly string[] = [
  'kafkajs',
  'node-rdkafka',
  '@confluentinc/kafka-javascript',
  'kafka-node',
  '@aws-sdk/client-sqs',
  'sqs-consumer',
  'bullmq',
  'bull',
  'bee-queue',
  'amqplib',
  'amqp-connection-manager',
  '@google-cloud/pubsub',
  '@azure/service-bus',
  'nats',
  'pg-boss',
  'rhea',
];


/**
 * The callback `registration` is handed to runs for a queue consumer: returns the text naming the class, the
 * method its base runs and the queue client, or undefined.
 */
export function queueConsumerHeld(registration: TSESTree.CallExpression | TSESTree.NewExpression, unit: FileUnit, resolver: Resolver): string | undefined {
  const field = constructorField(registration);
  if (!field) return undefined;
  const { cls, name } = field;
  if (!cls.superClass || !privateField(cls, name)) return undefined;
  // The methods of the class that read the field, outside its constructor.
  const readers = new Set<string>();
  for (const member of cls.body.body) {
    if (member.type !== T.MethodDefinition || member.kind === 'constructor') continue;
    let reads = false;
    walk(member.value, (node) => {
      if (!reads && node.type === T.MemberExpression && unwrap(node.object).type === T.ThisExpression && !node.computed && node.property.type === T.Identifier && node.property.name === name) reads = true;
    });
    if (!reads) continue;
    if (member.key.type !== T.Identifier || member.static) return undefined;
    readers.add(member.key.name);
  }
  if (readers.size === 0) return undefined;
  const declared = new Set<string>();
  let consumer: { method: string; base: string; client: string } | undefined;
  for (const { cls: current, unit: currentUnit } of classChain(cls, unit, resolver)) {
    if (current === cls) continue;
    for (const member of current.body.body) {
      if ((member.type === T.MethodDefinition || member.type === T.TSAbstractMethodDefinition) && member.key.type === T.Identifier && member.kind === 'method') declared.add(member.key.name);
    }
    if (consumer) continue;
    const handed = handedOut(current, readers);
    const client = handed && queueClientOf(currentUnit.file);
    if (handed && client) consumer = { method: handed, base: current.id?.name ?? 'its base class', client };
  }
  if (!consumer || [...readers].some((reader) => !declared.has(reader))) return undefined;
  return `held by \`${cls.id?.name ?? 'a class'}\` and run from its \`${consumer.method}\`, which the queue receiver \`${consumer.base}\` runs for each message (\`${consumer.client}\`)`;
}

/** `this.f = new X(..., callback)` (or `this.f = x(...)`) directly in a class constructor: the class and the field. */
function constructorField(registration: Node): { cls: ClassNode; name: string } | undefined {
  let held: Node = registration;
  while (held.parent && (held.parent.type === T.TSAsExpression || held.parent.type === T.TSNonNullExpression || held.parent.type === T.AwaitExpression)) held = held.parent;
  const assignment = held.parent;
  if (assignment?.type !== T.AssignmentExpression || assignment.right !== held) return undefined;
  const target = assignment.left;
  if (target.type !== T.MemberExpression || unwrap(target.object).type !== T.ThisExpression || target.computed || target.property.type !== T.Identifier) return undefined;
  const fn = enclosingFunction(registration);
  const method = fn?.parent;
  if (method?.type !== T.MethodDefinition || method.kind !== 'constructor') return undefined;
  const cls = method.parent.parent;
  if (cls.type !== T.ClassDeclaration && cls.type !== T.ClassExpression) return undefined;
  return { cls, name: target.property.name };
}

/** The field is declared `private` (or the constructor's `private` parameter): nothing outside the class reads it. */
function privateField(cls: ClassNode, name: string): boolean {
  for (const member of cls.body.body) {
    if (member.type === T.PropertyDefinition && member.key.type === T.Identifier && member.key.name === name) return member.accessibility === 'private';
  }
  return false;
}

/** A method of `names` that the class hands out as a value: `this.m` not called there, `this.m.bind(this)`. */
function handedOut(cls: ClassNode, names: Set<string>): string | undefined {
  let found: string | undefined;
  walk(cls.body, (node) => {
    if (found || node.type !== T.MemberExpression || unwrap(node.object).type !== T.ThisExpression || node.computed || node.property.type !== T.Identifier || !names.has(node.property.name)) return;
    const parent = node.parent;
    if (parent?.type === T.CallExpression && parent.callee === node) return;
    if (parent?.type === T.AssignmentExpression && parent.left === node) return;
    found = node.property.name;
  });
  return found;
}

/** The queue client the nearest package.json of `file` depends on (dependencies and peer dependencies). */
function queueClientOf(file: string): string | undefined {
  return dependencyOf(file, QUEUE_CLIENTS);
}
