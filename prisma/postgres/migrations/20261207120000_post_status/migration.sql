-- Posts get a status (draft, scheduled, published) and whether their date was chosen; old
-- addresses of posts are kept to redirect from.
ALTER TABLE "Post" ADD COLUMN "status" TEXT NOT NULL DEFAULT 'published';
ALTER TABLE "Post" ADD COLUMN "dateChosen" BOOLEAN NOT NULL DEFAULT true;
DROP INDEX "Post_publishedAt_idx";
CREATE INDEX "Post_status_publishedAt_idx" ON "Post"("status", "publishedAt");

CREATE TABLE "PostRedirect" (
    "path" TEXT NOT NULL,
    "postId" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "PostRedirect_pkey" PRIMARY KEY ("path")
);
CREATE INDEX "PostRedirect_postId_idx" ON "PostRedirect"("postId");
ALTER TABLE "PostRedirect" ADD CONSTRAINT "PostRedirect_postId_fkey" FOREIGN KEY ("postId") REFERENCES "Post"("id") ON DELETE CASCADE ON UPDATE CASCADE;
