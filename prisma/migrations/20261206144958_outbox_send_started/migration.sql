-- AlterTable
ALTER TABLE "WhatsAppMessage" ADD COLUMN "sendStartedAt" DATETIME;
