-- DropIndex
DROP INDEX "Conversation_workspaceId_waId_key";

-- DropIndex
DROP INDEX "Conversation_workspaceId_userId_key";

-- AlterTable
ALTER TABLE "WhatsAppMessage" ADD COLUMN     "businessPhoneNumberId" TEXT;

-- Data: a conversation is on one business number now. Those that named none go to their
-- workspace's first number (the bootstrap's, from WHATSAPP_PHONE_ID); in a workspace with no
-- number yet they stay without one, and the number the workspace gets first adopts them
-- (auth/bootstrap.ts). Conversations already naming a number keep it.
UPDATE "Conversation" SET "businessPhoneNumberId" = (
    SELECT "n"."phoneNumberId" FROM "WhatsAppPhoneNumber" AS "n"
    WHERE "n"."workspaceId" = "Conversation"."workspaceId"
    ORDER BY "n"."createdAt", "n"."phoneNumberId" LIMIT 1)
WHERE "businessPhoneNumberId" IS NULL;

-- Data: an outbound message left from its conversation's number.
UPDATE "WhatsAppMessage" SET "businessPhoneNumberId" = (
    SELECT "c"."businessPhoneNumberId" FROM "Conversation" AS "c" WHERE "c"."id" = "WhatsAppMessage"."conversationId")
WHERE "direction" = 'OUTBOUND';

-- CreateIndex
CREATE INDEX "Conversation_workspaceId_waId_idx" ON "Conversation"("workspaceId", "waId");

-- CreateIndex
CREATE INDEX "Conversation_workspaceId_userId_idx" ON "Conversation"("workspaceId", "userId");

-- CreateIndex
CREATE UNIQUE INDEX "Conversation_workspaceId_businessPhoneNumberId_waId_key" ON "Conversation"("workspaceId", "businessPhoneNumberId", "waId");

-- CreateIndex
CREATE UNIQUE INDEX "Conversation_workspaceId_businessPhoneNumberId_userId_key" ON "Conversation"("workspaceId", "businessPhoneNumberId", "userId");
