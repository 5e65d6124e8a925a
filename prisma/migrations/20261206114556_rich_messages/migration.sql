-- AlterTable
ALTER TABLE "Conversation" ADD COLUMN "blockedAt" DATETIME;

-- AlterTable
ALTER TABLE "WhatsAppMessage" ADD COLUMN "flowToken" TEXT;
ALTER TABLE "WhatsAppMessage" ADD COLUMN "interactive" TEXT;

-- CreateIndex
CREATE INDEX "WhatsAppMessage_flowToken_idx" ON "WhatsAppMessage"("flowToken");
