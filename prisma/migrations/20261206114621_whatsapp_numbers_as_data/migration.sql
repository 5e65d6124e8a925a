-- Numbers as data: what Meta says of each number, its status and its sealed access token.
-- Columns added in place (no table rebuild): existing numbers stay CONNECTED.
ALTER TABLE "WhatsAppPhoneNumber" ADD COLUMN "verifiedName" TEXT;
ALTER TABLE "WhatsAppPhoneNumber" ADD COLUMN "qualityRating" TEXT;
ALTER TABLE "WhatsAppPhoneNumber" ADD COLUMN "throughputLevel" TEXT;
ALTER TABLE "WhatsAppPhoneNumber" ADD COLUMN "messagingLimitTier" TEXT;
ALTER TABLE "WhatsAppPhoneNumber" ADD COLUMN "coexistence" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "WhatsAppPhoneNumber" ADD COLUMN "status" TEXT NOT NULL DEFAULT 'CONNECTED';
ALTER TABLE "WhatsAppPhoneNumber" ADD COLUMN "connectedAt" DATETIME;
ALTER TABLE "WhatsAppPhoneNumber" ADD COLUMN "accessTokenSealed" TEXT;
