-- Comments written by the post's author, signed in.
ALTER TABLE "Comment" ADD COLUMN "byPostAuthor" BOOLEAN NOT NULL DEFAULT false;
