/** `cacheKey('invoice', id)` -> `invoice:<id>`. */
export const cacheKey = (...parts: (string | number)[]) => parts.join(':');

/** `tenantKey(orgId, 'invoice', id)` -> `org:<orgId>:invoice:<id>`. */
export function tenantKey(orgId: string, ...parts: (string | number)[]): string {
  return `org:${orgId}:${parts.join(':')}`;
}

export const KEYS = {
  plans: 'plans:all',
  invoice: (id: string) => `invoice:${id}`,
};
