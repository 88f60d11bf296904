import { describe, expect, it } from 'vitest';
import { identityRead, textPath } from '../../src/core/identity.js';

/*
 * The one reading of the verified identity (src/core/identity.ts) that require-tenant-filter's
 * paths, its session keys and raw SQL's trusted parameters share.
 */

function read(text: string) {
  const path = textPath(text);
  return path ? identityRead(path) : undefined;
}

describe('identityRead', () => {
  it('a field of the session a request carrier holds ok', () => {
    expect(read('req.user.team_member_id')).toEqual({ object: ['req', 'user'], field: ['team_member_id'], via: 'request' });
    expect(read('ctx.state.user.orgId')).toEqual({ object: ['ctx', 'state', 'user'], field: ['orgId'], via: 'request' });
    expect(read('ctx.session.user.memberId')).toEqual({ object: ['ctx', 'session', 'user'], field: ['memberId'], via: 'request' });
    expect(read('event.locals.user.id')).toEqual({ object: ['event', 'locals', 'user'], field: ['id'], via: 'request' });
    expect(read('req.auth?.orgId')).toEqual({ object: ['req', 'auth'], field: ['orgId'], via: 'request' });
  });

  it('the user id a carrier holds itself ok', () => {
    expect(read('ctx.userId')).toEqual({ object: ['ctx'], field: ['userId'], via: 'request' });
    expect(read('ctx.activeUserId')).toEqual({ object: ['ctx'], field: ['activeUserId'], via: 'request' });
  });

  it('a session local, and a local only named like the identity ok', () => {
    expect(read('session.user.id')).toEqual({ object: ['session', 'user'], field: ['id'], via: 'session' });
    expect(read('auth.user.id')).toEqual({ object: ['auth', 'user'], field: ['id'], via: 'name' });
    expect(read('user.teamId')).toEqual({ object: ['user'], field: ['teamId'], via: 'name' });
  });

  it('anything read through what the client writes err', () => {
    expect(read('req.body.userId')).toBeUndefined();
    expect(read('req.user.params.id')).toBeUndefined();
    expect(read('input.userId')).toBeUndefined();
    expect(read('args.user.id')).toBeUndefined();
    expect(read('ctx.input.orgId')).toBeUndefined();
  });

  it('a carrier without the session, or a local of another name err', () => {
    expect(read('ctx.orgId')).toBeUndefined();
    expect(read('req.tenantId')).toBeUndefined();
    expect(read('project.userId')).toBeUndefined();
    expect(read('c.req.param')).toBeUndefined();
  });
});
