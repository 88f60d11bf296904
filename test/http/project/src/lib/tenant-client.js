// A tenant-scoped client factory: forOrg(orgId) injects orgId into every query.
import { prisma } from './db';

export function forOrg(orgId) {
  return prisma.$extends({
    query: {
      $allModels: {
        async $allOperations({ args, query }) {
          args.where = { ...args.where, orgId };
          return query(args);
        },
      },
    },
  });
}
