-- AlterTable
ALTER TABLE "Comment" ADD COLUMN "sourceId" TEXT;

-- AlterTable
ALTER TABLE "Post" ADD COLUMN "sourceId" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "Comment_sourceId_key" ON "Comment"("sourceId");

-- CreateIndex
CREATE UNIQUE INDEX "Post_sourceId_key" ON "Post"("sourceId");
