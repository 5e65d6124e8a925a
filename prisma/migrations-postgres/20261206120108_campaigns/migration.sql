-- AlterTable
ALTER TABLE "Campaign" ADD COLUMN     "resumedAt" TIMESTAMP(3);
