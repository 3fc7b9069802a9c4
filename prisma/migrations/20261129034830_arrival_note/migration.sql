-- The reason for a comment's first status moves into the comment's own row, so that a comment
-- is stored with one INSERT (see CommentsRepository.create); the arrival rows go.
-- AlterTable
ALTER TABLE "Comment" ADD COLUMN "arrivalNote" TEXT;

-- Move the data (written by hand)
UPDATE "Comment" SET "arrivalNote" = (
    SELECT "note" FROM "CommentStatusChange" AS "c"
    WHERE "c"."commentId" = "Comment"."id" AND "c"."fromStatus" IS NULL
    ORDER BY "c"."id" LIMIT 1
);
DELETE FROM "CommentStatusChange" WHERE "fromStatus" IS NULL;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_CommentStatusChange" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "commentId" INTEGER NOT NULL,
    "fromStatus" TEXT NOT NULL,
    "toStatus" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "note" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "CommentStatusChange_commentId_fkey" FOREIGN KEY ("commentId") REFERENCES "Comment" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_CommentStatusChange" ("actor", "commentId", "createdAt", "fromStatus", "id", "note", "toStatus") SELECT "actor", "commentId", "createdAt", "fromStatus", "id", "note", "toStatus" FROM "CommentStatusChange";
DROP TABLE "CommentStatusChange";
ALTER TABLE "new_CommentStatusChange" RENAME TO "CommentStatusChange";
CREATE INDEX "CommentStatusChange_commentId_createdAt_idx" ON "CommentStatusChange"("commentId", "createdAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
