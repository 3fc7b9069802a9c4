-- DropIndex
DROP INDEX "Comment_ipAddress_createdAt_idx";

-- AlterTable
ALTER TABLE "Comment" ADD COLUMN "clientNetwork" TEXT;

-- CreateIndex
CREATE INDEX "Comment_clientNetwork_createdAt_idx" ON "Comment"("clientNetwork", "createdAt");

-- Comments stored before this migration: an IPv4 sender's network is its address (written
-- "::ffff:a.b.c.d" by a server listening on every interface). IPv6 ones are left empty: the
-- flood check looks back seconds, and the known-author rule only a little further.
UPDATE "Comment" SET "clientNetwork" = CASE
  WHEN "ipAddress" LIKE '::ffff:%.%.%.%' THEN substr("ipAddress", 8)
  WHEN "ipAddress" NOT LIKE '%:%' THEN "ipAddress"
END;

-- The duplicate check finds a text by its post, length and beginning, whatever the post's size.
-- Prisma's schema cannot describe an index on expressions (its diff leaves this one alone); a
-- later migration that rebuilds the Comment table must create it again.
CREATE INDEX "Comment_duplicates_idx" ON "Comment"("postId", length("text"), substr("text", 1, 64));
