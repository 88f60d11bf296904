// Auth.js (NextAuth v5) configuration: `auth()` returns the verified session.
import NextAuth from 'next-auth';

export const { handlers, auth, signIn, signOut } = NextAuth({ providers: [] });
