import type { Models } from '../core/facts.js';
import { CACHE_MODEL } from '../cache/index.js';
import { HTTP_MODEL } from '../http/index.js';
import { displayPath } from '../project/display-path.js';
import { QUERY_MODEL } from './tenant-positions/index.js';

/**
 * The registered models, as policies ask for them (core `Models`): the analysis driver hands this
 * object to each policy, so that no policy imports a model and a model never imports a policy.
 */
export const MODELS: Models = {
  http: HTTP_MODEL,
  queries: QUERY_MODEL,
  cache: CACHE_MODEL,
  project: { displayPath },
};
