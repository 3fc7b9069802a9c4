-- CreateIndex
CREATE INDEX "Comment_authorEmail_createdAt_idx" ON "Comment"("authorEmail", "createdAt");

-- CreateIndex
CREATE INDEX "Comment_ipAddress_createdAt_idx" ON "Comment"("ipAddress", "createdAt");
