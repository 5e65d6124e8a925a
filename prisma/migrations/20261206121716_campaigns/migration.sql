-- AlterTable
ALTER TABLE "WhatsAppMessage" ADD COLUMN "campaignId" TEXT;

-- CreateTable
CREATE TABLE "Campaign" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workspaceId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "templateName" TEXT NOT NULL,
    "languageCode" TEXT NOT NULL,
    "templateCategory" TEXT,
    "audience" TEXT NOT NULL,
    "bodyParameters" TEXT NOT NULL,
    "optedInOnly" BOOLEAN NOT NULL DEFAULT false,
    "fromPhoneNumberId" TEXT,
    "scheduledAt" DATETIME,
    "status" TEXT NOT NULL DEFAULT 'DRAFT',
    "pausedReason" TEXT,
    "total" INTEGER NOT NULL DEFAULT 0,
    "exclusions" TEXT,
    "cancelled" INTEGER NOT NULL DEFAULT 0,
    "estimatedCost" REAL,
    "createdById" TEXT,
    "startedAt" DATETIME,
    "resumedAt" DATETIME,
    "completedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Campaign_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "Campaign_workspaceId_createdAt_idx" ON "Campaign"("workspaceId", "createdAt");

-- CreateIndex
CREATE INDEX "Campaign_status_idx" ON "Campaign"("status");

-- CreateIndex
CREATE INDEX "WhatsAppMessage_campaignId_status_idx" ON "WhatsAppMessage"("campaignId", "status");
