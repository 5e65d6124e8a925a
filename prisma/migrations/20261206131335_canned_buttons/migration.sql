-- AlterTable
ALTER TABLE "CannedResponse" ADD COLUMN "buttons" TEXT;
