-- DropIndex
DROP INDEX "WhatsAppTemplate_workspaceId_name_language_key";

-- AlterTable
ALTER TABLE "WhatsAppTemplate" ADD COLUMN "businessAccountId" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "WhatsAppTemplate_workspaceId_businessAccountId_name_language_key" ON "WhatsAppTemplate"("workspaceId", "businessAccountId", "name", "language");

-- Existing templates were synced through the workspace's default number: its business account's.
UPDATE "WhatsAppTemplate" SET "businessAccountId" = (
  SELECT n."businessAccountId" FROM "WhatsAppPhoneNumber" n
  WHERE n."workspaceId" = "WhatsAppTemplate"."workspaceId" AND n."businessAccountId" IS NOT NULL AND n."status" = 'CONNECTED'
  ORDER BY n."createdAt", n."phoneNumberId" LIMIT 1
);
