-- AlterTable
ALTER TABLE "WhatsAppMessage" ADD COLUMN     "sendStartedAt" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "WhatsAppMessage_sendStartedAt_idx" ON "WhatsAppMessage"("sendStartedAt");
