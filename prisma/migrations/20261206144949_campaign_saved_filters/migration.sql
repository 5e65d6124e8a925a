-- CreateTable
CREATE TABLE "SavedFilter" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workspaceId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "hasConversation" BOOLEAN NOT NULL DEFAULT false,
    "lastMessageWithinDays" INTEGER,
    "optedIn" BOOLEAN NOT NULL DEFAULT false,
    "labelIds" TEXT NOT NULL DEFAULT '[]',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "SavedFilter_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Campaign" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workspaceId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "templateName" TEXT NOT NULL,
    "languageCode" TEXT NOT NULL,
    "templateCategory" TEXT,
    "audience" TEXT NOT NULL,
    "bodyParameters" TEXT NOT NULL,
    "optedInOnly" BOOLEAN NOT NULL DEFAULT false,
    "splitOverDays" BOOLEAN NOT NULL DEFAULT false,
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
INSERT INTO "new_Campaign" ("audience", "bodyParameters", "cancelled", "completedAt", "createdAt", "createdById", "estimatedCost", "exclusions", "fromPhoneNumberId", "id", "languageCode", "name", "optedInOnly", "pausedReason", "resumedAt", "scheduledAt", "startedAt", "status", "templateCategory", "templateName", "total", "updatedAt", "workspaceId") SELECT "audience", "bodyParameters", "cancelled", "completedAt", "createdAt", "createdById", "estimatedCost", "exclusions", "fromPhoneNumberId", "id", "languageCode", "name", "optedInOnly", "pausedReason", "resumedAt", "scheduledAt", "startedAt", "status", "templateCategory", "templateName", "total", "updatedAt", "workspaceId" FROM "Campaign";
DROP TABLE "Campaign";
ALTER TABLE "new_Campaign" RENAME TO "Campaign";
CREATE INDEX "Campaign_workspaceId_createdAt_idx" ON "Campaign"("workspaceId", "createdAt");
CREATE INDEX "Campaign_status_idx" ON "Campaign"("status");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "SavedFilter_workspaceId_name_key" ON "SavedFilter"("workspaceId", "name");
