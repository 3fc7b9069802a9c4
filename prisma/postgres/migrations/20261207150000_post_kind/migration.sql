-- Standalone pages beside posts.
ALTER TABLE "Post" ADD COLUMN "kind" TEXT NOT NULL DEFAULT 'post';
