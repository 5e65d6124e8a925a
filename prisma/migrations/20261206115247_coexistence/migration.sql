-- AlterTable
ALTER TABLE "Contact" ADD COLUMN "phoneBookChangedAt" DATETIME;
ALTER TABLE "Contact" ADD COLUMN "removedFromPhoneAt" DATETIME;
ALTER TABLE "Contact" ADD COLUMN "whatsappUserId" TEXT;
ALTER TABLE "Contact" ADD COLUMN "whatsappUsername" TEXT;

-- AlterTable
ALTER TABLE "WhatsAppMessage" ADD COLUMN "fromBusinessApp" BOOLEAN;
ALTER TABLE "WhatsAppMessage" ADD COLUMN "importedFrom" TEXT;

-- CreateTable
CREATE TABLE "HistoryImport" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workspaceId" TEXT NOT NULL,
    "phoneNumberId" TEXT NOT NULL,
    "phase" INTEGER,
    "progress" INTEGER NOT NULL DEFAULT 0,
    "chunks" INTEGER NOT NULL DEFAULT 0,
    "declined" BOOLEAN NOT NULL DEFAULT false,
    "errorCode" INTEGER,
    "errorTitle" TEXT,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" DATETIME,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "HistoryChunk" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workspaceId" TEXT NOT NULL,
    "phoneNumberId" TEXT NOT NULL,
    "digest" TEXT NOT NULL,
    "payload" TEXT,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedUntil" DATETIME,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "importedAt" DATETIME
);

-- CreateIndex
CREATE UNIQUE INDEX "HistoryImport_workspaceId_phoneNumberId_key" ON "HistoryImport"("workspaceId", "phoneNumberId");

-- CreateIndex
CREATE INDEX "HistoryChunk_importedAt_lockedUntil_idx" ON "HistoryChunk"("importedAt", "lockedUntil");

-- CreateIndex
CREATE UNIQUE INDEX "HistoryChunk_phoneNumberId_digest_key" ON "HistoryChunk"("phoneNumberId", "digest");

-- CreateIndex
CREATE INDEX "WhatsAppMessage_workspaceId_importedFrom_idx" ON "WhatsAppMessage"("workspaceId", "importedFrom");
