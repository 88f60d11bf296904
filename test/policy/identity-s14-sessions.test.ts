import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { useScratch } from '../helpers/scratch.js';

/*
 * Session 14: one reading of the verified identity (src/core/identity.ts) for every rule.
 * vendure (judged G090): `updateSessionExpiry(session)` updates `Session` by `session.id`, where
 * `session` is the row findSessionByToken just found by the secret token the client presented: the
 * caller's own session, not a client-chosen id. The unchecked path becomes a checked one (warning,
 * not error). Twin: the session found by an id from the route keeps the error.
 */

const { makeProject } = useScratch();

const PRISMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Channel {
  id       String    @id
  sessions Session[]
}

model Session {
  id        String   @id
  token     String   @unique
  expires   DateTime
  channelId String
  channel   Channel  @relation(fields: [channelId], references: [id])

  @@index([channelId, id])
}
`;

function prismaService(lookup: string): string {
  return `import { Injectable } from '@nestjs/common';
import { PrismaClient, type Session } from '@prisma/client';

@Injectable()
export class SessionService {
  private readonly prisma = new PrismaClient();

  async findSession(key: string) {
    const session = await this.prisma.session.findFirst({ where: { ${lookup} } });
    if (session) await this.touch(session);
    return session;
  }

  private async touch(session: Session) {
    await this.prisma.session.update({ where: { id: session.id }, data: { expires: new Date() } });
  }
}
`;
}

const CONTROLLER = `import { Controller, Get, Headers, Param } from '@nestjs/common';
import { SessionService } from './session.service';

@Controller('sessions')
export class SessionController {
  constructor(private readonly sessions: SessionService) {}

  @Get('current')
  current(@Headers('authorization') token: string) {
    return this.sessions.findSession(token);
  }

  @Get(':id')
  byId(@Param('id') id: string) {
    return this.sessions.findSession(id);
  }
}
`;

function prismaProject(lookup: string): string {
  return makeProject({
    'package.json': JSON.stringify({ name: 'sessions', private: true, dependencies: { '@nestjs/common': '^10.0.0', '@prisma/client': '^5.0.0' } }),
    'tenant-lint.config.json': JSON.stringify({ tenantRoot: 'Channel' }),
    'prisma/schema.prisma': PRISMA,
    'src/session.service.ts': prismaService(lookup),
    'src/session.controller.ts': CONTROLLER,
  });
}

const CONNECTION = `import { DataSource } from 'typeorm';
export const dataSource = new DataSource({ type: 'postgres' });
`;

const ENTITIES = {
  'src/channel.entity.ts': "import { Entity, PrimaryGeneratedColumn, Column } from 'typeorm';\n@Entity()\nexport class Channel { @PrimaryGeneratedColumn() id: number; @Column() code: string; }\n",
  'src/session.entity.ts':
    "import { Entity, PrimaryGeneratedColumn, Column, ManyToOne, Index } from 'typeorm';\nimport { Channel } from './channel.entity';\n@Entity()\n@Index(['channelId', 'id'])\nexport class Session { @PrimaryGeneratedColumn() id: number; @Column() token: string; @Column() expires: Date; @Column() channelId: number; @ManyToOne(() => Channel) channel: Channel; }\n",
};

function typeormService(where: string, params: string): string {
  return `import { dataSource } from './connection';
import { Session } from './session.entity';

export class SessionService {
  async findSession(key: string) {
    const session = await dataSource
      .getRepository(Session)
      .createQueryBuilder('session')
      .where('${where}', ${params})
      .getOne();
    if (session) {
      await this.touch(session);
    }
    return session;
  }

  private async touch(session: Session) {
    await dataSource.getRepository(Session).update({ id: session.id }, { expires: new Date() });
  }
}
`;
}

function typeormProject(where: string, params: string): string {
  return makeProject({
    'package.json': JSON.stringify({ name: 'sessions', private: true, dependencies: { '@nestjs/common': '^10.0.0', typeorm: '^0.3.20' } }),
    'tenant-lint.config.json': JSON.stringify({ tenantRoot: 'Channel' }),
    'src/connection.ts': CONNECTION,
    ...ENTITIES,
    'src/session.service.ts': typeormService(where, params),
    'src/session.controller.ts': CONTROLLER,
  });
}

async function at(dir: string, file: string, line: number): Promise<string[]> {
  const result = await scan({ path: dir });
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter' && f.file === file && f.line === line).map((f) => f.severity);
}

describe('a session row found by the secret token the client presents is the caller\'s own (vendure, judged G090)', () => {
  it('prisma: the update by session.id after findFirst({ where: { token } }) is not an error ok', async () => {
    expect(await at(prismaProject('token: key'), 'src/session.service.ts', 15)).toEqual(['warning']);
  });

  it('prisma twin: the session found by the id the route names: error err', async () => {
    expect(await at(prismaProject('id: key'), 'src/session.service.ts', 15)).toEqual(['error']);
  });

  it('typeorm: the update by session.id after where(\'session.token = :token\') is not an error ok', async () => {
    expect(await at(typeormProject('session.token = :token', '{ token: key }'), 'src/session.service.ts', 18)).toEqual(['warning']);
  });

  it('typeorm twin: the session found by where(\'session.id = :id\'): error err', async () => {
    expect(await at(typeormProject('session.id = :id', '{ id: key }'), 'src/session.service.ts', 18)).toEqual(['error']);
  });
});

/*
 * The session's own key read through another carrier of the verified session (the same reading for
 * every rule, src/core/identity.ts): express-jwt's `req.auth`, express-session's `req.session.user`.
 * Twin: a local named `auth` that is the request's body.
 */

const MIGRATION = `CREATE TABLE teams (id uuid PRIMARY KEY, name text);
CREATE TABLE team_members (id uuid PRIMARY KEY, team_id uuid NOT NULL REFERENCES teams(id));
CREATE TABLE comments (id uuid PRIMARY KEY, team_id uuid NOT NULL REFERENCES teams(id), body text);
CREATE TABLE reactions (id uuid PRIMARY KEY, comment_id uuid NOT NULL REFERENCES comments(id), team_member_id uuid NOT NULL REFERENCES team_members(id), kind text);
`;

const KEYED_PRISMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Team {
  id       String       @id
  members  TeamMember[]
  comments Comment[]
}

model TeamMember {
  id        String     @id
  teamId    String
  team      Team       @relation(fields: [teamId], references: [id])
  reactions Reaction[]
}

model Comment {
  id        String     @id
  teamId    String
  team      Team       @relation(fields: [teamId], references: [id])
  reactions Reaction[]
}

model Reaction {
  id           String     @id
  commentId    String
  comment      Comment    @relation(fields: [commentId], references: [id])
  teamMemberId String
  teamMember   TeamMember @relation(fields: [teamMemberId], references: [id])
}
`;

type Orm = 'pg' | 'prisma';

function keyed(orm: Orm, before: string, member: string): string {
  const db = orm === 'pg' ? `import { Pool } from 'pg';\nexport const db = new Pool();\n` : `import { PrismaClient } from '@prisma/client';\nexport const db = new PrismaClient();\n`;
  const remove =
    orm === 'pg'
      ? `  await db.query('DELETE FROM reactions WHERE comment_id = $1 AND team_member_id = $2', [req.params.id, ${member}]);`
      : `  await db.reaction.deleteMany({ where: { commentId: req.params.id, teamMemberId: ${member} } });`;
  return makeProject({
    'package.json': JSON.stringify({ name: 'p', private: true, dependencies: orm === 'pg' ? { pg: '^8.16.0', express: '^5.1.0' } : { '@prisma/client': '^6.8.0', express: '^5.1.0' } }),
    ...(orm === 'pg' ? { 'migrations/0001_init.sql': MIGRATION } : { 'prisma/schema.prisma': KEYED_PRISMA }),
    'src/db.ts': db,
    'src/routes.ts': `import express from 'express';\nimport { db } from './db';\n\nexport const app = express();\napp.delete('/comments/:id/reaction', async (req: any, res: any) => {\n${before}${remove}\n  res.sendStatus(204);\n});\n`,
  });
}

async function filterFindings(dir: string): Promise<string[]> {
  const result = await scan({ path: dir });
  return result.findings.filter((f) => f.ruleId === 'require-tenant-filter').map((f) => `${f.file}:${f.line} ${f.severity}`);
}

describe.each(['pg', 'prisma'] as Orm[])('the session key through another carrier of the verified session (%s)', (orm) => {
  const field = orm === 'pg' ? 'team_member_id' : 'teamMemberId';

  it('express-jwt req.auth: not reported ok', async () => {
    expect(await filterFindings(keyed(orm, '', `req.auth.${field}`))).toEqual([]);
  });

  it('express-session req.session.user, destructured: not reported ok', async () => {
    expect(await filterFindings(keyed(orm, `  const { ${field}: memberId } = req.session.user;\n`, 'memberId'))).toEqual([]);
  });

  it('twin: a local named auth that is the body: error err', async () => {
    expect(await filterFindings(keyed(orm, '  const auth = req.body;\n', `auth.${field}`))).toEqual(['src/routes.ts:7 error']);
  });
});
