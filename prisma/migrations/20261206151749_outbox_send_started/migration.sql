-- AlterTable
ALTER TABLE "WhatsAppMessage" ADD COLUMN "sendStartedAt" DATETIME;

-- CreateIndex
CREATE INDEX "WhatsAppMessage_sendStartedAt_idx" ON "WhatsAppMessage"("sendStartedAt");
