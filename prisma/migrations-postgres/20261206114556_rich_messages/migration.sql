-- AlterTable
ALTER TABLE "Conversation" ADD COLUMN     "blockedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "WhatsAppMessage" ADD COLUMN     "flowToken" TEXT,
ADD COLUMN     "interactive" TEXT;

-- CreateIndex
CREATE INDEX "WhatsAppMessage_flowToken_idx" ON "WhatsAppMessage"("flowToken");
