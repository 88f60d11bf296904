import type { TSESTree } from '@typescript-eslint/types';
import { T, unwrap } from '../core/ast.js';
import type { AnalysisContext } from '../core/query-site.js';
import { methodAccess, methodTable, type MethodShape } from './access.js';
import type { CacheAccess, CacheClient } from './types.js';

/**
 * Redis commands and where their keys are, shared by the ioredis, node-redis and Upstash
 * recognizers. Names are lower case: node-redis's `hGetAll` and ioredis's `hgetall` are one
 * command; ioredis's `getBuffer` variants are the command without the suffix.
 */
const REDIS_COMMANDS = methodTable([
  ['read', 'hash', 'hget hmget hexists hstrlen'],
  ['write', 'hash', 'hset hsetnx hincrby hincrbyfloat'],
  ['write', 'hash', 'hdel'],
  ['read', 'first', `get getex getrange getbit strlen type ttl pttl expiretime pexpiretime object dump
    hgetall hkeys hvals hlen hrandfield hscan
    lrange llen lindex lpos lpop rpop smembers sismember smismember scard srandmember sscan spop getdel
    zrange zrangebyscore zrangebylex zrevrange zrevrangebyscore zrevrangebylex zscore zmscore zcard zrank zrevrank
    zcount zlexcount zscan zrandmember zpopmin zpopmax xrange xrevrange xlen bitcount bitpos
    geopos geodist geohash geosearch georadius georadiusbymember`],
  ['read', 'all', 'mget exists sinter sunion sdiff zunion zinter zdiff pfcount'],
  ['read', 'allButLast', 'blpop brpop bzpopmin bzpopmax'],
  ['write', 'first', `set setex psetex setnx getset append incr incrby incrbyfloat decr decrby
    hmset lpush rpush lpushx rpushx lset linsert ltrim lrem
    sadd srem zadd zincrby zrem zremrangebyscore zremrangebyrank zremrangebylex pfadd setrange setbit
    xadd xtrim xdel geoadd restore expire pexpire expireat pexpireat persist hexpire`],
  ['write', 'firstTwo', 'rename renamenx copy lmove rpoplpush smove'],
  ['write', 'all', 'touch pfmerge sinterstore sunionstore sdiffstore'],
  ['write', 'pairs', 'mset msetnx'],
  ['invalidate', 'all', 'del unlink'],
  ['read', 'eval', 'eval evalsha eval_ro evalsha_ro evalro evalsharo fcall fcall_ro fcallro'],
]);

/** RedisJSON, reached as `client.json.get(...)` (node-redis, Upstash) or `call('JSON.GET', ...)`. */
const REDIS_JSON_COMMANDS = methodTable([
  ['read', 'first', 'get type arrlen arrindex objkeys objlen strlen resp debug'],
  ['read', 'list', 'mget'],
  ['write', 'first', 'set merge arrappend arrinsert arrpop arrtrim numincrby nummultby strappend toggle clear'],
  ['invalidate', 'first', 'del forget'],
]);

/** Every method name a Redis recognizer looks at, for the cheap first test. */
export const REDIS_METHOD_NAMES: ReadonlySet<string> = new Set([
  ...REDIS_COMMANDS.keys(),
  ...REDIS_JSON_COMMANDS.keys(),
  ...[...REDIS_COMMANDS.keys()].map((name) => `${name}buffer`),
  'call', 'send_command', 'sendcommand', 'callbuffer', 'call_buffer',
]);

function shapeOf(method: string, client: CacheClient): MethodShape | undefined {
  const name = method.toLowerCase().replace(/buffer$/, '');
  return client.facet === 'json' ? REDIS_JSON_COMMANDS.get(name) : REDIS_COMMANDS.get(name);
}

/**
 * A command on a Redis client: `redis.get(key)`, `client.hSet(key, ...)`, `redis.json.get(key)`,
 * `multi().set(...)`, and the generic `redis.call('GET', key)` / `client.sendCommand(['GET', key])`.
 */
export function redisAccess(call: TSESTree.CallExpression, method: string, client: CacheClient, context: AnalysisContext): CacheAccess | undefined {
  const lower = method.toLowerCase();
  if (lower === 'call' || lower === 'send_command' || lower === 'callbuffer' || lower === 'call_buffer') {
    const command = call.arguments[0] ? unwrap(call.arguments[0]) : undefined;
    if (command?.type !== T.Literal || typeof command.value !== 'string') return undefined;
    return genericCommand(call, method, command.value, call.arguments.slice(1), client, context);
  }
  if (lower === 'sendcommand') {
    const list = call.arguments[0] ? unwrap(call.arguments[0]) : undefined;
    const command = list?.type === T.ArrayExpression ? list.elements[0] : undefined;
    if (list?.type !== T.ArrayExpression || command?.type !== T.Literal || typeof command.value !== 'string') return undefined;
    const args = list.elements.slice(1).filter((element): element is TSESTree.Expression => element !== null && element.type !== T.SpreadElement);
    return genericCommand(call, method, command.value, args, client, context);
  }
  const shape = shapeOf(method, client);
  return shape ? methodAccess(call, method, shape, client, context) : undefined;
}

function genericCommand(call: TSESTree.CallExpression, method: string, command: string, args: TSESTree.CallExpressionArgument[], client: CacheClient, context: AnalysisContext): CacheAccess | undefined {
  const [group, name] = command.toLowerCase().includes('.') ? command.toLowerCase().split('.') : ['', command.toLowerCase()];
  const shape = group === 'json' ? REDIS_JSON_COMMANDS.get(name) : REDIS_COMMANDS.get(name);
  return shape ? methodAccess(call, method, shape, client, context, args) : undefined;
}
