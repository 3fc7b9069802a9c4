-- CreateTable
CREATE TABLE "OutboxEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "kind" TEXT NOT NULL,
    "commentId" INTEGER NOT NULL
);

-- CreateTable
CREATE TABLE "Delivery" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "channel" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "recipient" TEXT NOT NULL,
    "subject" TEXT,
    "body" TEXT NOT NULL,
    "html" TEXT,
    "commentId" INTEGER,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME NOT NULL,
    "claimedUntil" DATETIME,
    "lastError" TEXT,
    "sentAt" DATETIME,
    "createdAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "NotificationSettings" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "moderatorMail" TEXT NOT NULL,
    "webhookUrl" TEXT,
    "webhookSecret" TEXT,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "UsedMailLink" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "usedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "Delivery_status_nextAttemptAt_idx" ON "Delivery"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "Delivery_createdAt_id_idx" ON "Delivery"("createdAt", "id");

-- The outbox's events, written in the transaction that makes the change, whoever makes it: a
-- comment made here (an imported one has a sourceId, and is news to no one), and every change of
-- a comment's status. The sender turns each into mail and webhook deliveries, then deletes it.
CREATE TRIGGER "Comment_outbox_created" AFTER INSERT ON "Comment"
WHEN NEW."sourceId" IS NULL
BEGIN
  INSERT INTO "OutboxEvent" ("kind", "commentId") VALUES ('comment.created', NEW."id");
END;

CREATE TRIGGER "Comment_outbox_status" AFTER UPDATE OF "status" ON "Comment"
WHEN NEW."status" <> OLD."status"
BEGIN
  INSERT INTO "OutboxEvent" ("kind", "commentId") VALUES ('comment.' || NEW."status", NEW."id");
END;
