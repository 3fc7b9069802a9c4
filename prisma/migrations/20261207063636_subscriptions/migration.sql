-- AlterTable
ALTER TABLE "Delivery" ADD COLUMN "headers" TEXT;

-- CreateTable
CREATE TABLE "Subscription" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "postId" INTEGER NOT NULL,
    "email" TEXT NOT NULL,
    "emailKey" TEXT NOT NULL,
    "confirmedAt" DATETIME,
    "confirmationSentAt" DATETIME,
    "createdAt" DATETIME NOT NULL,
    CONSTRAINT "Subscription_postId_fkey" FOREIGN KEY ("postId") REFERENCES "Post" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- AlterTable (Prisma's diff rebuilds the table, which would drop its triggers and expression
-- index; SQLite adds a column with a constant default in place)
ALTER TABLE "Comment" ADD COLUMN "wantsReplies" BOOLEAN NOT NULL DEFAULT false;

-- CreateIndex
CREATE INDEX "Subscription_emailKey_idx" ON "Subscription"("emailKey");

-- CreateIndex
CREATE UNIQUE INDEX "Subscription_postId_emailKey_key" ON "Subscription"("postId", "emailKey");
