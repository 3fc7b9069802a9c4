-- Blocked senders: an email address, or an IP address or range.
CREATE TABLE "Block" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "kind" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "note" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX "Block_kind_value_key" ON "Block"("kind", "value");

-- A commenter's own requests to have their data erased (the mailed link names one).
CREATE TABLE "ErasureRequest" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "email" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "mailedAt" DATETIME
);
CREATE INDEX "ErasureRequest_createdAt_idx" ON "ErasureRequest"("createdAt");
CREATE INDEX "ErasureRequest_email_mailedAt_idx" ON "ErasureRequest"("email", "mailedAt");

-- Pinned and locked comments, and erased ones kept as placeholders. Added in place: a redefined
-- Comment table would lose its triggers and its expression index.
ALTER TABLE "Comment" ADD COLUMN "pinnedAt" DATETIME;
ALTER TABLE "Comment" ADD COLUMN "repliesLocked" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "Comment" ADD COLUMN "erased" BOOLEAN NOT NULL DEFAULT false;
CREATE INDEX "Comment_pinnedAt_postId_idx" ON "Comment"("pinnedAt", "postId");

-- A commenter's data is found by their address (export, erasure, their own request) through an
-- index, never by reading every comment: addresses are stored lower-cased, as the forms, the API
-- and imports have long written them; any row written otherwise is made so.
UPDATE "Comment" SET "authorEmail" = lower("authorEmail") WHERE "authorEmail" <> lower("authorEmail");
UPDATE "Subscription" SET "email" = lower("email") WHERE "email" <> lower("email");
CREATE INDEX "Subscription_email_idx" ON "Subscription"("email");

-- IPv4 clients on a dual-stack listener were stored in the mapped form (::ffff:203.0.113.7): store
-- them as people read them, the form new comments are stored in.
UPDATE "Comment" SET "ipAddress" = substr("ipAddress", 8)
WHERE lower(substr("ipAddress", 1, 7)) = '::ffff:' AND "ipAddress" LIKE '%.%';
