-- AlterTable
ALTER TABLE "WhatsAppMessage" ADD COLUMN     "sendStartedAt" TIMESTAMP(3);
