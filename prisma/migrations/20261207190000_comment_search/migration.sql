-- The moderator's search: every comment's author name, email, website and text indexed in
-- trigrams (each run of three characters), so that a search of three characters or more reads
-- the comments holding them instead of every comment (see commentSearch in src/db/sql-dialect.ts).
-- What is indexed is each column lower-cased by SQLite's lower(), which changes ASCII letters
-- only (SQLite built without ICU, as better-sqlite3's and Debian's are), matched case-sensitively:
-- a match is exactly what LIKE '%…%' finds (ASCII case aside), so the index, LIKE on a search too
-- short for trigrams, and LIKE on a comment already read always agree. Hence contentless
-- (content=''): an index of "Comment" itself (external content) would fold other letters too;
-- and the text is not kept twice. columnsize=0: results are not ranked.
CREATE VIRTUAL TABLE "CommentSearch" USING fts5(
  "authorName", "authorEmail", "authorUrl", "text",
  content='', tokenize='trigram case_sensitive 1', columnsize=0
);

-- Filled from the comments already there, then merged into one segment: left as a bulk insert
-- writes it, each of the next comments' commits would pay a share of merging the large segments.
INSERT INTO "CommentSearch"(rowid, "authorName", "authorEmail", "authorUrl", "text")
SELECT "id", lower("authorName"), lower("authorEmail"), lower("authorUrl"), lower("text") FROM "Comment";
INSERT INTO "CommentSearch"("CommentSearch") VALUES ('optimize');

-- The triggers keep the index as comments are added, edited and deleted, by whichever process
-- (a post's deletion deletes its comments through the foreign key, which fires them too). A
-- contentless index is told what it indexed for a row to take the row out. A status change leaves
-- the index alone. A later migration that rebuilds the Comment table must create them again.
CREATE TRIGGER "Comment_search_after_insert" AFTER INSERT ON "Comment"
BEGIN
  INSERT INTO "CommentSearch"(rowid, "authorName", "authorEmail", "authorUrl", "text")
  VALUES (NEW."id", lower(NEW."authorName"), lower(NEW."authorEmail"), lower(NEW."authorUrl"), lower(NEW."text"));
END;

CREATE TRIGGER "Comment_search_after_update" AFTER UPDATE OF "authorName", "authorEmail", "authorUrl", "text" ON "Comment"
BEGIN
  INSERT INTO "CommentSearch"("CommentSearch", rowid, "authorName", "authorEmail", "authorUrl", "text")
  VALUES ('delete', OLD."id", lower(OLD."authorName"), lower(OLD."authorEmail"), lower(OLD."authorUrl"), lower(OLD."text"));
  INSERT INTO "CommentSearch"(rowid, "authorName", "authorEmail", "authorUrl", "text")
  VALUES (NEW."id", lower(NEW."authorName"), lower(NEW."authorEmail"), lower(NEW."authorUrl"), lower(NEW."text"));
END;

CREATE TRIGGER "Comment_search_after_delete" AFTER DELETE ON "Comment"
BEGIN
  INSERT INTO "CommentSearch"("CommentSearch", rowid, "authorName", "authorEmail", "authorUrl", "text")
  VALUES ('delete', OLD."id", lower(OLD."authorName"), lower(OLD."authorEmail"), lower(OLD."authorUrl"), lower(OLD."text"));
END;
