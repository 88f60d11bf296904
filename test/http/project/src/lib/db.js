// The project's Prisma client (JavaScript, so that the repository's tsc does not need @prisma/client).
import { PrismaClient } from '@prisma/client';

export const prisma = new PrismaClient();
