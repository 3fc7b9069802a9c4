-- CreateTable
CREATE TABLE "OutboxEvent" (
    "id" SERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "commentId" INTEGER NOT NULL,

    CONSTRAINT "OutboxEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Delivery" (
    "id" SERIAL NOT NULL,
    "channel" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "recipient" TEXT NOT NULL,
    "subject" TEXT,
    "body" TEXT NOT NULL,
    "html" TEXT,
    "commentId" INTEGER,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL,
    "claimedUntil" TIMESTAMP(3),
    "lastError" TEXT,
    "sentAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Delivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NotificationSettings" (
    "id" INTEGER NOT NULL,
    "moderatorMail" TEXT NOT NULL,
    "webhookUrl" TEXT,
    "webhookSecret" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "NotificationSettings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "UsedMailLink" (
    "id" TEXT NOT NULL,
    "usedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "UsedMailLink_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Delivery_status_nextAttemptAt_idx" ON "Delivery"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "Delivery_createdAt_id_idx" ON "Delivery"("createdAt", "id");

-- The outbox's events, written in the transaction that makes the change, whoever makes it: a
-- comment made here (an imported one has a sourceId, and is news to no one), and every change of
-- a comment's status. The sender turns each into mail and webhook deliveries, then deletes it.
-- One INSERT per statement, as the count triggers do.
CREATE FUNCTION "Comment_outbox_created"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "OutboxEvent" ("kind", "commentId")
  SELECT 'comment.created', "id" FROM new_rows WHERE "sourceId" IS NULL ORDER BY "id";
  RETURN NULL;
END;
$$;

CREATE TRIGGER "Comment_outbox_created" AFTER INSERT ON "Comment"
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "Comment_outbox_created"();

CREATE FUNCTION "Comment_outbox_status"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "OutboxEvent" ("kind", "commentId")
  SELECT 'comment.' || n."status", n."id"
  FROM new_rows AS n JOIN old_rows AS o ON o."id" = n."id"
  WHERE n."status" <> o."status"
  ORDER BY n."id";
  RETURN NULL;
END;
$$;

CREATE TRIGGER "Comment_outbox_status" AFTER UPDATE ON "Comment"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "Comment_outbox_status"();
