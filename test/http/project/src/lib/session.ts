// The signed-in user, as the app's session code loads it (not client input).
export async function readSession(c: unknown): Promise<{ user: { id: string; isAdmin: boolean; roles: string[] } }> {
  void c;
  return { user: { id: 'user_1', isAdmin: false, roles: [] } };
}

/** Whether the user is an instance operator. */
export function isAdmin(user: { roles: string[] }): boolean {
  return user.roles.includes('ADMIN');
}
