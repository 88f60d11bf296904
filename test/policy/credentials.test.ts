import { RuleTester } from '@typescript-eslint/rule-tester';
import rule from '../../rules/require-tenant-filter.js';
import { onDisk } from '../helpers/on-disk.js';

const ruleTester = new RuleTester();

// A document belongs to a team; a signer of it holds a unique signing token (the signing link).
const schema = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}
model Team {
  id        Int        @id
  name      String
  documents Document[]
}
model Document {
  id      String   @id
  teamId  Int
  title   String
  team    Team     @relation(fields: [teamId], references: [id])
  signers Signer[]
  @@index([teamId, id])
}
model Signer {
  id         Int      @id
  documentId String
  token      String   @unique
  email      String
  document   Document @relation(fields: [documentId], references: [id])
}
`;

const head = `import { PrismaClient } from '@prisma/client';\nconst prisma = new PrismaClient();\n`;

function project(body: string): { code: string; filename: string } {
  return onDisk(`${head}${body}`, 'src/signing.ts', { 'prisma/schema.prisma': schema, 'package.json': '{"name":"signing","dependencies":{"@prisma/client":"^6.0.0"}}' });
}

ruleTester.run('require-tenant-filter: secrets one relation away', rule, {
  valid: [
    // the signer's unique token scopes the signer
    project(`export const signer = (token: string) => prisma.signer.findFirst({ where: { token } });`),
    // ...and the document it signs, reached through the relation
    project(`export const documentForLink = (token: string) => prisma.document.findFirst({ where: { signers: { some: { token } } } });`),
    // the child through its parent reached by the token
    project(`export const bySigner = (token: string) => prisma.signer.findMany({ where: { document: { signers: { some: { token } } } } });`),
  ],
  invalid: [
    {
      // a non-secret column of the related row names any tenant's documents
      ...project(`export const documentsOf = (email: string) => prisma.document.findMany({ where: { signers: { some: { email } } } });`),
      errors: [{ messageId: 'missingTenantFilter' }],
    },
  ],
});

// A secret looked up only to see that it exists (`if (!row) throw`, nothing of the row read) and then
// dropped vouches for no tenant in particular; the row that is read names its tenant, and a secret handed
// on (documenso's report page returns its token) is still what the request acts on. The same rule in
// every library (raw SQL: test/sql/scoping-s14.test.ts).
ruleTester.run('require-tenant-filter: a secret only tested for existence', rule, {
  valid: [
    project(`export async function documentOf(token: string) {\n  const signer = await prisma.signer.findFirst({ where: { token } });\n  if (!signer) throw new Error('401');\n  return signer.documentId;\n}`),
    // documenso's report page: the token checked, then handed on (the next request finds the row by it again)
    project(`export async function loader(token: string) {\n  const signer = await prisma.signer.findFirst({ where: { token }, select: { id: true } });\n  if (!signer) throw new Error('404');\n  return { token };\n}`),
  ],
  invalid: [
    {
      ...project(`export async function verify(token: string) {\n  const signer = await prisma.signer.findFirst({ where: { token } });\n  if (!signer) throw new Error('401');\n}`),
      errors: [{ messageId: 'missingTenantFilter' }],
    },
  ],
});

// OAuth: an app registered by one team is authorized by users of any team; the authorization code is a secret.
const oauthSchema = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}
model Team {
  id     Int        @id
  apps   OAuthApp[]
  grants OAuthAuthorization[]
}
model OAuthApp {
  id       String @id
  teamId   Int
  clientId String @unique
  name     String
  team     Team   @relation(fields: [teamId], references: [id])
  grants   OAuthAuthorization[]
  @@index([teamId, id])
}
model OAuthAuthorization {
  id                String   @id
  teamId            Int
  appId             String
  authorizationCode String?
  redirectUri       String
  team              Team     @relation(fields: [teamId], references: [id])
  app               OAuthApp @relation(fields: [appId], references: [id])
  @@index([teamId, id])
  @@index([authorizationCode])
}
`;

function oauth(body: string): { code: string; filename: string } {
  return onDisk(`${head}${body}`, 'src/oauth.ts', { 'prisma/schema.prisma': oauthSchema, 'package.json': '{"name":"oauth","dependencies":{"@prisma/client":"^6.0.0"}}' });
}

ruleTester.run('require-tenant-filter: OAuth client ids and authorization codes', rule, {
  valid: [
    // the unique client id the client presents
    oauth(`export const appByClientId = (clientId: string) => prisma.oAuthApp.findFirst({ where: { clientId } });`),
    // the authorization code the client redeems (a secret, even where the schema only indexes it)
    oauth(`export const byCode = (code: string) => prisma.oAuthAuthorization.findFirst({ where: { authorizationCode: code } });`),
  ],
  invalid: [
    {
      // the app's display name is not an identifier the client was given
      ...oauth(`export const appByName = (name: string) => prisma.oAuthApp.findFirst({ where: { name } });`),
      errors: [{ messageId: 'missingTenantFilter' }],
    },
    {
      // a redirect URI is public and shared
      ...oauth(`export const byRedirect = (redirectUri: string) => prisma.oAuthAuthorization.findMany({ where: { redirectUri } });`),
      errors: [{ messageId: 'missingTenantFilter' }],
    },
  ],
});

// retraced's `token` table (judged G007, F005): the secret is the primary key itself.
const tokenSchema = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}
model Team {
  id     Int     @id
  tokens Token[]
  keys   Key[]
}
model Token {
  token  String @id
  teamId Int
  name   String
  team   Team   @relation(fields: [teamId], references: [id])
  @@index([teamId])
}
model Key {
  tokenId String @id
  teamId  Int
  team    Team   @relation(fields: [teamId], references: [id])
  @@index([teamId])
}
`;

function tokens(body: string): { code: string; filename: string } {
  return onDisk(`${head}${body}`, 'src/tokens.ts', { 'prisma/schema.prisma': tokenSchema, 'package.json': '{"name":"tokens","dependencies":{"@prisma/client":"^6.0.0"}}' });
}

ruleTester.run('require-tenant-filter: a secret that is the primary key', rule, {
  valid: [
    // the presented token finds the row that names its team
    tokens(`export const byToken = (token: string) => prisma.token.findUnique({ where: { token } });`),
  ],
  invalid: [
    {
      // twin: another column of the same table
      ...tokens(`export const byName = (name: string) => prisma.token.findFirst({ where: { name } });`),
      errors: [{ messageId: 'missingTenantFilter' }],
    },
    {
      // twin: a key that names a token (an identifier), not the secret
      ...tokens(`export const byId = (tokenId: string) => prisma.key.findUnique({ where: { tokenId } });`),
      errors: [{ messageId: 'missingTenantFilter' }],
    },
  ],
});
