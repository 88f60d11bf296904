import type { TSESTree } from '@typescript-eslint/types';
import { T, type FileUnit } from '../core/ast.js';
import { client, NONE, nodeRequestMember, trusted } from './node-request.js';
import { fromPackage, importMarkers, packageOfType, parameterType } from './trace.js';
import type { FrameworkObject, HttpRecognizer, HttpValue, PackageRef } from './types.js';

const request: FrameworkObject = { kind: 'framework', framework: 'nextjs', role: 'request', label: 'request', context: false };
const nextUrl: FrameworkObject = { kind: 'framework', framework: 'nextjs', role: 'next-url', label: 'request.nextUrl', context: false };
const routeContext: FrameworkObject = { kind: 'framework', framework: 'nextjs', role: 'route-context', label: 'context', context: false };
const pageProps: FrameworkObject = { kind: 'framework', framework: 'nextjs', role: 'page-props', label: 'props', context: false };
const apiRequest: FrameworkObject = { kind: 'framework', framework: 'nextjs', role: 'api-request', label: 'req', context: true };

const ROUTE_HANDLERS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
const ROUTE_NAME = /^route\.[cm]?[jt]sx?$/;
const PAGE_NAME = /^(?:page|layout)\.[cm]?[jt]sx?$/;
export const MIDDLEWARE_FILE = /(^|\/)(src\/)?(middleware|proxy)\.[cm]?[jt]s$/;

/**
 * `app/.../route.ts` (or `page`, `layout`) at any depth: the file name, under a folder named `app`.
 * Two linear tests: `(^|\/)app\/(.+\/)?route\.ts$` backtracks over the rest of the path at each `app/`.
 */
function underApp(file: string, name: RegExp): boolean {
  const slash = file.lastIndexOf('/');
  return name.test(file.slice(slash + 1)) && `/${file.slice(0, slash + 1)}`.includes('/app/');
}

export const isRouteFile = (file: string): boolean => underApp(file, ROUTE_NAME);
export const isPageFile = (file: string): boolean => underApp(file, PAGE_NAME);

/** Functions whose result is the verified session or token. */
const IDENTITY: Record<string, string[]> = {
  'next-auth': ['getServerSession', 'auth'],
  'next-auth/next': ['getServerSession'],
  'next-auth/jwt': ['getToken'],
  'next-auth/react': ['getSession'],
  '@clerk/nextjs/server': ['auth', 'currentUser', 'getAuth'],
  '@clerk/nextjs': ['auth', 'currentUser', 'getAuth'],
  '@auth0/nextjs-auth0': ['getSession'],
  'iron-session': ['getIronSession'],
};

/**
 * Next.js: route handlers (`export async function GET(request)` in `app/.../route.ts`), pages'
 * `params` and `searchParams`, middleware, `headers()`/`cookies()` from next/headers, server
 * actions (every argument of a `'use server'` function is sent by the client), and pages-router
 * API routes (`NextApiRequest`, read like an Express request).
 */
export const nextjsRecognizer: HttpRecognizer = {
  name: 'nextjs',
  // `next` and the subpaths that hold requests (`next/server`, `next/headers`, deep `next/dist/...`
  // imports): the user-interface subpaths (`next/link`, `next/image`, `next/router`, `next/navigation`,
  // `next/head`, `next/dynamic`, `next/font/...`) hand a file no request, header, cookie or session, and
  // half of a Next.js app's components import one (kan: 56 of 103 files that passed the pre-filter).
  markers: [...importMarkers(['next']), ...importMarkers(['next/server', 'next/headers', 'next/dist', 'next-auth', '@clerk/nextjs', 'iron-session'], true), 'use server'],
  identityHint: 'the session (`await auth()`, `getServerSession(authOptions)`), whose tenant was set when the user signed in',

  parameter(fn, index, context) {
    const param = fn.params[index];
    const typed = packageOfType(parameterType(param), context.unit, context.resolver);
    if (typed && fromPackage(typed, 'next')) {
      if (typed.imported === 'NextRequest') return request;
      if (typed.imported === 'NextApiRequest') return apiRequest;
      return undefined;
    }
    const file = context.unit.file.split('\\').join('/');
    const exported = exportedName(fn);
    if (isServerAction(fn, context.unit, exported)) return serverActionArgument(param);
    if (!exported) return undefined;
    if (isRouteFile(file) && ROUTE_HANDLERS.has(exported)) return index === 0 ? request : index === 1 ? routeContext : undefined;
    if (isPageFile(file) && (exported === 'default' || exported === 'generateMetadata')) return index === 0 ? pageProps : undefined;
    if (MIDDLEWARE_FILE.test(file) && (exported === 'middleware' || exported === 'proxy' || exported === 'default')) return index === 0 ? request : undefined;
    return undefined;
  },

  typed(ref) {
    if (!fromPackage(ref, 'next')) return undefined;
    return ref.imported === 'NextRequest' ? request : ref.imported === 'NextApiRequest' ? apiRequest : undefined;
  },

  member(object, name) {
    switch (object.role) {
      case 'request':
        if (name === 'headers') return client('nextjs', 'header', [], 'map');
        if (name === 'nextUrl') return nextUrl;
        if (name === 'cookies') return client('nextjs', 'cookie', [], 'map', 'value');
        if (name === 'url') return client('nextjs', 'request URL');
        if (name === 'auth') return trusted('`req.auth` is the session Auth.js verified');
        return NONE;
      case 'next-url':
        if (name === 'searchParams') return client('nextjs', 'search parameter', [], 'map');
        if (name === 'hostname' || name === 'host') return client('nextjs', 'hostname');
        return NONE;
      case 'route-context':
      case 'page-props':
        if (name === 'params') return client('nextjs', 'route parameter');
        if (name === 'searchParams') return client('nextjs', 'search parameter');
        return NONE;
      case 'api-request':
        return nodeRequestMember('nextjs', name);
      default:
        return NONE;
    }
  },

  call(object, method) {
    if (object.role !== 'request') return NONE;
    if (method === 'json') return client('nextjs', 'body field');
    if (method === 'formData') return client('nextjs', 'form field', [], 'map');
    return NONE;
  },

  imported(ref) {
    if (ref.source === 'next/headers') {
      if (ref.imported === 'headers') return client('nextjs', 'header', [], 'map');
      if (ref.imported === 'cookies') return client('nextjs', 'cookie', [], 'map', 'value');
      return undefined;
    }
    return identityCall(ref);
  },
};

/** `getServerSession()`, `auth()` (Clerk, or Auth.js's `export const { auth } = NextAuth(...)`), `getToken()`. */
function identityCall(ref: PackageRef): HttpValue | undefined {
  const names = IDENTITY[ref.source];
  const destructured = /^default\(\)\.(\w+)$/.exec(ref.imported)?.[1];
  if (ref.source === 'next-auth' && destructured === 'auth') return trusted('`auth()` returns the session Auth.js verified');
  if (names?.includes(ref.imported)) return trusted(`\`${ref.imported}()\` returns the verified session`);
  return undefined;
}

function exportedName(fn: TSESTree.FunctionLike): string | undefined {
  if (fn.type === T.FunctionDeclaration) {
    if (fn.parent?.type === T.ExportDefaultDeclaration) return 'default';
    return fn.parent?.type === T.ExportNamedDeclaration ? fn.id?.name : undefined;
  }
  if (fn.parent?.type === T.ExportDefaultDeclaration) return 'default';
  const declarator = fn.parent;
  if (declarator?.type !== T.VariableDeclarator || declarator.id.type !== T.Identifier) return undefined;
  return declarator.parent?.parent?.type === T.ExportNamedDeclaration ? declarator.id.name : undefined;
}

/** An exported function of a `'use server'` module, or a function whose body starts with `'use server'`. */
function isServerAction(fn: TSESTree.FunctionLike, unit: FileUnit, exported: string | undefined): boolean {
  if (fn.body?.type === T.BlockStatement && hasDirective(fn.body.body, 'use server')) return true;
  return exported !== undefined && hasDirective(unit.ast.body, 'use server');
}

function hasDirective(statements: TSESTree.Node[], directive: string): boolean {
  for (const statement of statements) {
    if (statement.type !== T.ExpressionStatement || statement.directive === undefined) return false;
    if (statement.directive === directive) return true;
  }
  return false;
}

/** A server action's argument: `formData` is a FormData read with `.get()`, anything else is a value. */
function serverActionArgument(param: TSESTree.Parameter | undefined): HttpValue | undefined {
  if (!param) return undefined;
  const type = parameterType(param);
  const isFormData = (type?.type === T.TSTypeReference && type.typeName.type === T.Identifier && type.typeName.name === 'FormData') || (param.type === T.Identifier && param.name === 'formData');
  if (isFormData) return client('nextjs', 'form field', [], 'map');
  if (param.type === T.Identifier) return client('nextjs', 'server action argument', [param.name]);
  return client('nextjs', 'server action argument');
}

