-- AlterTable
ALTER TABLE "Post" ADD COLUMN "approvedComments" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "Post" ADD COLUMN "approvedThreads" INTEGER NOT NULL DEFAULT 0;

-- Each post's approved comments, and how many of them head a thread: an approved comment whose
-- parent is not an approved comment of the same post listed before it (earlier, or as early with
-- a smaller id). The same rule as commentSql's headsThread for a view of approved comments.
UPDATE "Post" SET
  "approvedComments" = (SELECT COUNT(*) FROM "Comment" c WHERE c."postId" = "Post"."id" AND c."status" = 'approved'),
  "approvedThreads" = (
    SELECT COUNT(*) FROM "Comment" c WHERE c."postId" = "Post"."id" AND c."status" = 'approved'
      AND NOT EXISTS (SELECT 1 FROM "Comment" p WHERE p."id" = c."parentId" AND p."postId" = c."postId"
        AND p."status" = 'approved' AND (p."createdAt" < c."createdAt" OR (p."createdAt" = c."createdAt" AND p."id" < c."id")))
  );

-- The triggers keep both counts as comments are added, change status or parent, and are deleted,
-- by whichever process. A comment's own head-ness is worked out before and after the change; its
-- approved replies listed after it stop heading threads when it becomes approved, and head them
-- again when it stops being approved (or is deleted: the BEFORE trigger counts them while they
-- still point at it; the ON DELETE SET NULL that follows changes nothing, their parent being gone).
-- (Each NOT EXISTS is in parentheses: NOT binds more loosely than + and -.)
-- Prisma's schema cannot describe triggers (its diff leaves them alone); a later migration that
-- rebuilds the Comment table must create them again.
CREATE TRIGGER "Comment_counts_after_insert" AFTER INSERT ON "Comment" WHEN NEW."status" = 'approved'
BEGIN
  UPDATE "Post" SET
    "approvedComments" = "approvedComments" + 1,
    "approvedThreads" = "approvedThreads" + (NOT EXISTS (SELECT 1 FROM "Comment" p WHERE p."id" = NEW."parentId"
      AND p."postId" = NEW."postId" AND p."status" = 'approved'
      AND (p."createdAt" < NEW."createdAt" OR (p."createdAt" = NEW."createdAt" AND p."id" < NEW."id"))))
  WHERE "id" = NEW."postId";
END;

CREATE TRIGGER "Comment_counts_after_update" AFTER UPDATE OF "status", "parentId" ON "Comment"
WHEN OLD."status" = 'approved' OR NEW."status" = 'approved'
BEGIN
  UPDATE "Post" SET
    "approvedComments" = "approvedComments" + (NEW."status" = 'approved') - (OLD."status" = 'approved'),
    "approvedThreads" = "approvedThreads"
      + (NEW."status" = 'approved' AND NOT EXISTS (SELECT 1 FROM "Comment" p WHERE p."id" = NEW."parentId"
          AND p."postId" = NEW."postId" AND p."status" = 'approved'
          AND (p."createdAt" < NEW."createdAt" OR (p."createdAt" = NEW."createdAt" AND p."id" < NEW."id"))))
      - (OLD."status" = 'approved' AND NOT EXISTS (SELECT 1 FROM "Comment" p WHERE p."id" = OLD."parentId"
          AND p."postId" = OLD."postId" AND p."status" = 'approved'
          AND (p."createdAt" < OLD."createdAt" OR (p."createdAt" = OLD."createdAt" AND p."id" < OLD."id"))))
      + ((OLD."status" = 'approved') - (NEW."status" = 'approved')) * (SELECT COUNT(*) FROM "Comment" d
          WHERE d."parentId" = NEW."id" AND d."postId" = NEW."postId" AND d."status" = 'approved'
          AND (NEW."createdAt" < d."createdAt" OR (NEW."createdAt" = d."createdAt" AND NEW."id" < d."id")))
  WHERE "id" = NEW."postId";
END;

CREATE TRIGGER "Comment_counts_before_delete" BEFORE DELETE ON "Comment" WHEN OLD."status" = 'approved'
BEGIN
  UPDATE "Post" SET
    "approvedComments" = "approvedComments" - 1,
    "approvedThreads" = "approvedThreads"
      - (NOT EXISTS (SELECT 1 FROM "Comment" p WHERE p."id" = OLD."parentId"
          AND p."postId" = OLD."postId" AND p."status" = 'approved'
          AND (p."createdAt" < OLD."createdAt" OR (p."createdAt" = OLD."createdAt" AND p."id" < OLD."id"))))
      + (SELECT COUNT(*) FROM "Comment" d
          WHERE d."parentId" = OLD."id" AND d."postId" = OLD."postId" AND d."status" = 'approved'
          AND (OLD."createdAt" < d."createdAt" OR (OLD."createdAt" = d."createdAt" AND OLD."id" < d."id")))
  WHERE "id" = OLD."postId";
END;
