-- CreateEnum
CREATE TYPE "WhatsAppNumberStatus" AS ENUM ('CONNECTED', 'DISCONNECTED');

-- AlterTable
ALTER TABLE "WhatsAppPhoneNumber" ADD COLUMN     "accessTokenSealed" TEXT,
ADD COLUMN     "coexistence" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "connectedAt" TIMESTAMP(3),
ADD COLUMN     "messagingLimitTier" TEXT,
ADD COLUMN     "qualityRating" TEXT,
ADD COLUMN     "status" "WhatsAppNumberStatus" NOT NULL DEFAULT 'CONNECTED',
ADD COLUMN     "throughputLevel" TEXT,
ADD COLUMN     "verifiedName" TEXT;
