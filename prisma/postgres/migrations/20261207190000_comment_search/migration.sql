-- The moderator's search (moderation-repository.ts): the author's name, email and website and the
-- text indexed in trigrams (pg_trgm: each run of three characters, case folded), so that the
-- search's ILIKE '%…%' of three characters or more reads the comments holding them instead of
-- every comment. One GIN index over the four columns: a condition on any of them uses it, and
-- their OR combines its scans. pg_trgm is a trusted extension: the database's owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX "Comment_search_idx" ON "Comment" USING GIN (
  "authorName" gin_trgm_ops, "authorEmail" gin_trgm_ops, "authorUrl" gin_trgm_ops, "text" gin_trgm_ops
);
