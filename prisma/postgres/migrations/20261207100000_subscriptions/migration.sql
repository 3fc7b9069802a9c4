-- AlterTable
ALTER TABLE "Delivery" ADD COLUMN "headers" TEXT;

-- AlterTable
ALTER TABLE "Comment" ADD COLUMN "wantsReplies" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "Subscription" (
    "id" SERIAL NOT NULL,
    "postId" INTEGER NOT NULL,
    "email" TEXT NOT NULL,
    "emailKey" TEXT NOT NULL,
    "confirmedAt" TIMESTAMP(3),
    "confirmationSentAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Subscription_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Subscription_emailKey_idx" ON "Subscription"("emailKey");

-- CreateIndex
CREATE UNIQUE INDEX "Subscription_postId_emailKey_key" ON "Subscription"("postId", "emailKey");

-- AddForeignKey
ALTER TABLE "Subscription" ADD CONSTRAINT "Subscription_postId_fkey" FOREIGN KEY ("postId") REFERENCES "Post"("id") ON DELETE CASCADE ON UPDATE CASCADE;
