-- AlterTable
ALTER TABLE "Contact" ADD COLUMN     "phoneBookChangedAt" TIMESTAMP(3),
ADD COLUMN     "removedFromPhoneAt" TIMESTAMP(3),
ADD COLUMN     "whatsappUserId" TEXT,
ADD COLUMN     "whatsappUsername" TEXT;

-- AlterTable
ALTER TABLE "WhatsAppMessage" ADD COLUMN     "fromBusinessApp" BOOLEAN,
ADD COLUMN     "importedFrom" TEXT;

-- CreateTable
CREATE TABLE "HistoryImport" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "phoneNumberId" TEXT NOT NULL,
    "phase" INTEGER,
    "progress" INTEGER NOT NULL DEFAULT 0,
    "chunks" INTEGER NOT NULL DEFAULT 0,
    "declined" BOOLEAN NOT NULL DEFAULT false,
    "errorCode" INTEGER,
    "errorTitle" TEXT,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "HistoryImport_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "HistoryChunk" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "phoneNumberId" TEXT NOT NULL,
    "digest" TEXT NOT NULL,
    "payload" TEXT,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedUntil" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "importedAt" TIMESTAMP(3),

    CONSTRAINT "HistoryChunk_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "HistoryImport_workspaceId_phoneNumberId_key" ON "HistoryImport"("workspaceId", "phoneNumberId");

-- CreateIndex
CREATE INDEX "HistoryChunk_importedAt_lockedUntil_idx" ON "HistoryChunk"("importedAt", "lockedUntil");

-- CreateIndex
CREATE UNIQUE INDEX "HistoryChunk_phoneNumberId_digest_key" ON "HistoryChunk"("phoneNumberId", "digest");

-- CreateIndex
CREATE INDEX "WhatsAppMessage_workspaceId_importedFrom_idx" ON "WhatsAppMessage"("workspaceId", "importedFrom");
