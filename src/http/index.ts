import { expressRecognizer } from './express.js';
import { fastifyRecognizer } from './fastify.js';
import { honoRecognizer } from './hono.js';
import { koaRecognizer } from './koa.js';
import { nestjsRecognizer } from './nestjs.js';
import { isPageFile, isRouteFile, MIDDLEWARE_FILE, nextjsRecognizer } from './nextjs.js';
import { trpcRecognizer } from './trpc.js';
import { declaredPropertyType, packageOf, packageOfType, packageRoot } from './trace.js';
import type { HttpModel } from '../core/facts.js';
import type { FrameworkName, HttpRecognizer } from './types.js';

/** Registered web-framework recognizers: adding a framework is adding one entry here. */
export const HTTP_RECOGNIZERS: HttpRecognizer[] = [
  expressRecognizer,
  fastifyRecognizer,
  koaRecognizer,
  honoRecognizer,
  nestjsRecognizer,
  nextjsRecognizer,
  trpcRecognizer,
];

export function recognizerFor(framework: FrameworkName): HttpRecognizer | undefined {
  return HTTP_RECOGNIZERS.find((recognizer) => recognizer.name === framework);
}

/** Files named by a framework convention hold handlers even when they import nothing (`app/api/x/route.ts`). */
const isConventionFile = (file: string): boolean => isRouteFile(file) || isPageFile(file) || MIDDLEWARE_FILE.test(file);

/**
 * Handler signatures, for route files that import their app or router from another file and
 * nothing from the framework (`import { app } from './app'; app.get('/', (req, res) => ...)`).
 * Only a pre-filter: whether `req` is a request is still decided by tracing `app` to `express()`.
 */
const HANDLER_SIGNATURES = ['(req, res', '(req,res', '(request, reply', '(ctx, next', '(c, next', 'async (c) =>', 'async (ctx) =>'];

/**
 * A cheap pre-filter: a file can read client input only if it mentions a framework (an import,
 * a `'use server'` directive, a tRPC builder call), follows a framework's file convention, or
 * has a handler's signature.
 */
export function mayReadClientInput(file: string, text: string): boolean {
  if (isConventionFile(file.split('\\').join('/'))) return true;
  if (HANDLER_SIGNATURES.some((signature) => text.includes(signature))) return true;
  return HTTP_RECOGNIZERS.some((recognizer) => recognizer.markers.some((marker) => text.includes(marker)));
}

export type { FrameworkName, HttpRecognizer } from './types.js';

/** The web-framework model handed to policies (the `http` of core `Models`). */
export const HTTP_MODEL: HttpModel = {
  recognizers: HTTP_RECOGNIZERS,
  recognizerFor,
  mayReadClientInput,
  packageOf,
  packageOfType,
  packageRoot,
  declaredPropertyType,
};
