// Read by the Prisma CLI (`prisma generate`, and `prisma migrate deploy` on machines that can
// download Prisma's native engine). The server itself migrates through src/db/migrations.ts.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'file:./data/marginalia.db' },
});
