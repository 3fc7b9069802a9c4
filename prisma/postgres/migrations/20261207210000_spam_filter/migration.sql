-- The spam filter (src/spam-filter/): each comment's score and reasons when it arrived, and what
-- the filter learned from it; the model's token counts and totals; the moderator's switch.
ALTER TABLE "Comment" ADD COLUMN "spamScore" DOUBLE PRECISION;
ALTER TABLE "Comment" ADD COLUMN "spamReasons" TEXT;
ALTER TABLE "Comment" ADD COLUMN "spamLabel" TEXT;

ALTER TABLE "ModerationSettings" ADD COLUMN "spamFilter" BOOLEAN NOT NULL DEFAULT true;
ALTER TABLE "ModerationSettings" ADD COLUMN "trashTeaches" TEXT NOT NULL DEFAULT 'nothing';

CREATE TABLE "SpamModel" (
    "id" INTEGER NOT NULL,
    "spamComments" INTEGER NOT NULL DEFAULT 0,
    "hamComments" INTEGER NOT NULL DEFAULT 0,
    "version" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "SpamModel_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "SpamToken" (
    "token" TEXT NOT NULL,
    "spam" INTEGER NOT NULL DEFAULT 0,
    "ham" INTEGER NOT NULL DEFAULT 0,
    "lastSeen" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "SpamToken_pkey" PRIMARY KEY ("token")
);
