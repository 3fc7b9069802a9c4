-- CreateTable
CREATE TABLE "Post" (
    "id" SERIAL NOT NULL,
    "slug" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "bodyMarkdown" TEXT NOT NULL,
    "bodyHtml" TEXT NOT NULL,
    "excerpt" TEXT NOT NULL,
    "authorName" TEXT NOT NULL,
    "publishedAt" TIMESTAMP(3) NOT NULL,
    "commentsOpen" BOOLEAN NOT NULL DEFAULT true,
    "sourceId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "approvedComments" INTEGER NOT NULL DEFAULT 0,
    "approvedThreads" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "Post_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Comment" (
    "id" SERIAL NOT NULL,
    "postId" INTEGER NOT NULL,
    "parentId" INTEGER,
    "authorName" TEXT NOT NULL,
    "authorEmail" TEXT NOT NULL,
    "authorUrl" TEXT,
    "text" TEXT NOT NULL,
    "textHtml" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "ipAddress" TEXT,
    "clientNetwork" TEXT,
    "userAgent" TEXT,
    "arrivalNote" TEXT,
    "sourceId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Comment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CommentStatusChange" (
    "id" SERIAL NOT NULL,
    "commentId" INTEGER NOT NULL,
    "fromStatus" TEXT NOT NULL,
    "toStatus" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "note" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CommentStatusChange_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ModerationSettings" (
    "id" INTEGER NOT NULL,
    "mode" TEXT NOT NULL,
    "maxLinks" INTEGER NOT NULL,
    "moderationWords" TEXT NOT NULL,
    "disallowedWords" TEXT NOT NULL,
    "wordMatch" TEXT NOT NULL,
    "closeAfterDays" INTEGER NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ModerationSettings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AdminSession" (
    "sid" TEXT NOT NULL,
    "data" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AdminSession_pkey" PRIMARY KEY ("sid")
);

-- CreateTable
CREATE TABLE "SiteSecret" (
    "name" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SiteSecret_pkey" PRIMARY KEY ("name")
);

-- CreateIndex
CREATE UNIQUE INDEX "Post_slug_key" ON "Post"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "Post_sourceId_key" ON "Post"("sourceId");

-- CreateIndex
CREATE INDEX "Post_publishedAt_idx" ON "Post"("publishedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Comment_sourceId_key" ON "Comment"("sourceId");

-- CreateIndex
CREATE INDEX "Comment_postId_status_createdAt_id_idx" ON "Comment"("postId", "status", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Comment_status_createdAt_idx" ON "Comment"("status", "createdAt");

-- CreateIndex
CREATE INDEX "Comment_createdAt_id_idx" ON "Comment"("createdAt", "id");

-- CreateIndex
CREATE INDEX "Comment_parentId_idx" ON "Comment"("parentId");

-- CreateIndex
CREATE INDEX "Comment_authorEmail_createdAt_idx" ON "Comment"("authorEmail", "createdAt");

-- CreateIndex
CREATE INDEX "Comment_clientNetwork_createdAt_idx" ON "Comment"("clientNetwork", "createdAt");

-- CreateIndex
CREATE INDEX "CommentStatusChange_commentId_createdAt_idx" ON "CommentStatusChange"("commentId", "createdAt");

-- CreateIndex
CREATE INDEX "AdminSession_expiresAt_idx" ON "AdminSession"("expiresAt");

-- AddForeignKey
ALTER TABLE "Comment" ADD CONSTRAINT "Comment_postId_fkey" FOREIGN KEY ("postId") REFERENCES "Post"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Comment" ADD CONSTRAINT "Comment_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Comment"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CommentStatusChange" ADD CONSTRAINT "CommentStatusChange_commentId_fkey" FOREIGN KEY ("commentId") REFERENCES "Comment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- CreateTable (UNLOGGED: a hit counted is not worth a flush to disk; after a crash of PostgreSQL
-- the counts start again from nothing)
CREATE UNLOGGED TABLE "RateLimitCounter" (
    "key" TEXT NOT NULL,
    "hits" INTEGER NOT NULL,
    "resetAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RateLimitCounter_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "RateLimitCounter_resetAt_idx" ON "RateLimitCounter"("resetAt");

-- CreateTable
CREATE TABLE "ScheduledRun" (
    "name" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ScheduledRun_pkey" PRIMARY KEY ("name")
);

-- What Prisma's schema cannot describe (its diff leaves these alone; a later migration that
-- rebuilds the Comment table must create them again), as in the SQLite migrations
-- client_network and post_comment_counts.

-- The duplicate check finds a text by its post, length and beginning, whatever the post's size.
CREATE INDEX "Comment_duplicates_idx" ON "Comment"("postId", length("text"), substr("text", 1, 64));

-- Each post's approved comments, and how many of them head a thread (an approved comment whose
-- parent is not an approved comment of the same post listed before it), kept as comments are
-- added, change status or parent, and are deleted, by whichever instance. Each post's row is
-- locked before its comments are looked at, so changes to one post's comments are counted one
-- transaction at a time (each statement of a PL/pgSQL function reads the latest committed rows).
-- The lock is FOR NO KEY UPDATE, the one an UPDATE of the row takes anyway: it goes with the
-- KEY SHARE lock a new comment's foreign key already holds on its post, where FOR UPDATE would
-- have two comments on one post each wait for the other's KEY SHARE (a deadlock).
--
-- New comments add themselves, in one UPDATE per statement: AFTER triggers see every row of
-- their statement, and no comment stored earlier can be a reply to one stored later, so new
-- comments change no other comment's standing. That keeps a comment's cost the same on any post
-- (and an import's: a row trigger would update the same post row once per comment, each update
-- longer to find than the last). Updates and deletes may change whole threads, and many rows at
-- once (a moderator's bulk action): the posts they touch are counted again, once per statement.
-- (SQLite's triggers run row by row and can add up the change instead.) An import, which stores
-- thousands of comments in one transaction, says so (marginalia.comment_counts = 'deferred') and
-- counts every post once at its end: updating one post's row once per comment in one transaction
-- grows a chain of row versions PostgreSQL walks at every update.
CREATE FUNCTION "Comment_counts_after_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('marginalia.comment_counts', true) = 'deferred' THEN
    RETURN NULL;
  END IF;
  PERFORM 1 FROM "Post" WHERE "id" IN (SELECT "postId" FROM new_rows WHERE "status" = 'approved')
    ORDER BY "id" FOR NO KEY UPDATE;
  UPDATE "Post" SET "approvedComments" = "Post"."approvedComments" + added.comments,
    "approvedThreads" = "Post"."approvedThreads" + added.threads
  FROM (
    SELECT c."postId", COUNT(*) AS comments,
      COUNT(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM "Comment" p
        WHERE p."id" = c."parentId" AND p."postId" = c."postId" AND p."status" = 'approved'
        AND (p."createdAt" < c."createdAt" OR (p."createdAt" = c."createdAt" AND p."id" < c."id")))) AS threads
    FROM new_rows c WHERE c."status" = 'approved' GROUP BY c."postId"
  ) AS added
  WHERE "Post"."id" = added."postId";
  RETURN NULL;
END;
$$;

CREATE TRIGGER "Comment_counts_after_insert" AFTER INSERT ON "Comment"
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "Comment_counts_after_insert"();

CREATE FUNCTION "Post_recount"(post_ids integer[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM "Post" WHERE "id" = ANY(post_ids) ORDER BY "id" FOR NO KEY UPDATE;
  UPDATE "Post" SET
    "approvedComments" = (SELECT COUNT(*) FROM "Comment" c WHERE c."postId" = "Post"."id" AND c."status" = 'approved'),
    "approvedThreads" = (
      SELECT COUNT(*) FROM "Comment" c WHERE c."postId" = "Post"."id" AND c."status" = 'approved'
        AND NOT EXISTS (SELECT 1 FROM "Comment" p WHERE p."id" = c."parentId" AND p."postId" = c."postId"
          AND p."status" = 'approved' AND (p."createdAt" < c."createdAt" OR (p."createdAt" = c."createdAt" AND p."id" < c."id")))
    )
  WHERE "id" = ANY(post_ids);
END;
$$;

-- A statement changing one comment (a moderator's or an author's action; an import setting a
-- reply's parent) adds up its change as SQLite's row trigger does, so it costs the same on any
-- post; one changing several is counted again.
CREATE FUNCTION "Comment_counts_after_update"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  o "Comment";
  n "Comment";
  changed integer;
  heads_before integer := 0;
  heads_after integer := 0;
  replies integer := 0;
BEGIN
  IF current_setting('marginalia.comment_counts', true) = 'deferred' THEN
    RETURN NULL;
  END IF;
  IF (SELECT COUNT(*) FROM old_rows) <> 1 THEN
    PERFORM "Post_recount"(ARRAY(SELECT DISTINCT "postId" FROM old_rows WHERE "status" = 'approved'
      UNION SELECT DISTINCT "postId" FROM new_rows WHERE "status" = 'approved'));
    RETURN NULL;
  END IF;
  SELECT * INTO o FROM old_rows;
  SELECT * INTO n FROM new_rows;
  IF (o."status" <> 'approved' AND n."status" <> 'approved')
    OR (o."status" = n."status" AND o."parentId" IS NOT DISTINCT FROM n."parentId") THEN
    RETURN NULL;
  END IF;
  PERFORM 1 FROM "Post" WHERE "id" = n."postId" FOR NO KEY UPDATE;
  IF o."status" = 'approved' THEN
    SELECT CASE WHEN EXISTS (SELECT 1 FROM "Comment" p WHERE p."id" = o."parentId" AND p."postId" = o."postId"
        AND p."status" = 'approved' AND (p."createdAt" < o."createdAt" OR (p."createdAt" = o."createdAt" AND p."id" < o."id")))
      THEN 0 ELSE 1 END INTO heads_before;
  END IF;
  IF n."status" = 'approved' THEN
    SELECT CASE WHEN EXISTS (SELECT 1 FROM "Comment" p WHERE p."id" = n."parentId" AND p."postId" = n."postId"
        AND p."status" = 'approved' AND (p."createdAt" < n."createdAt" OR (p."createdAt" = n."createdAt" AND p."id" < n."id")))
      THEN 0 ELSE 1 END INTO heads_after;
  END IF;
  changed := (n."status" = 'approved')::integer - (o."status" = 'approved')::integer;
  -- Its approved replies listed after it head threads of their own exactly while it is not approved.
  IF changed <> 0 THEN
    SELECT COUNT(*) INTO replies FROM "Comment" d WHERE d."parentId" = n."id" AND d."postId" = n."postId"
      AND d."status" = 'approved' AND (n."createdAt" < d."createdAt" OR (n."createdAt" = d."createdAt" AND n."id" < d."id"));
  END IF;
  UPDATE "Post" SET "approvedComments" = "approvedComments" + changed,
    "approvedThreads" = "approvedThreads" + heads_after - heads_before - changed * replies
  WHERE "id" = n."postId";
  RETURN NULL;
END;
$$;

CREATE FUNCTION "Comment_counts_after_delete"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('marginalia.comment_counts', true) = 'deferred' THEN
    RETURN NULL;
  END IF;
  PERFORM "Post_recount"(ARRAY(SELECT DISTINCT "postId" FROM old_rows WHERE "status" = 'approved'));
  RETURN NULL;
END;
$$;

CREATE TRIGGER "Comment_counts_after_update" AFTER UPDATE ON "Comment"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "Comment_counts_after_update"();
CREATE TRIGGER "Comment_counts_after_delete" AFTER DELETE ON "Comment"
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "Comment_counts_after_delete"();

-- Every instance keeps rendered pages in memory; a change to what pages show tells the others,
-- at commit, so they drop theirs. Server instances announce their own changes after they commit
-- (src/db/postgres-changes.ts): a NOTIFY inside the write would hold PostgreSQL's one
-- notification lock through the commit's flush to disk, making every comment wait for every
-- other. This trigger speaks for everything else that writes (an import, psql).
CREATE FUNCTION "notify_page_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('application_name') LIKE 'marginalia-server-%' THEN
    RETURN NULL;
  END IF;
  PERFORM pg_notify('marginalia_page_changes', current_setting('application_name'));
  RETURN NULL;
END;
$$;

CREATE TRIGGER "Post_page_change" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "Post"
  FOR EACH STATEMENT EXECUTE FUNCTION "notify_page_change"();
CREATE TRIGGER "Comment_page_change" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "Comment"
  FOR EACH STATEMENT EXECUTE FUNCTION "notify_page_change"();
CREATE TRIGGER "ModerationSettings_page_change" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "ModerationSettings"
  FOR EACH STATEMENT EXECUTE FUNCTION "notify_page_change"();
