export function byOrg(orgId: string) {
  return { orgId };
}

export const notAFilter = (id: string) => ({ id });
