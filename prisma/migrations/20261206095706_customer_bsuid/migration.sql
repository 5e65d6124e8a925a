-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Conversation" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workspaceId" TEXT NOT NULL,
    "waId" TEXT,
    "userId" TEXT,
    "parentUserId" TEXT,
    "username" TEXT,
    "contactId" TEXT,
    "businessPhoneNumberId" TEXT,
    "profileName" TEXT,
    "lastMessageAt" DATETIME,
    "lastMessagePreview" TEXT,
    "unreadCount" INTEGER NOT NULL DEFAULT 0,
    "lastInboundAt" DATETIME,
    "assigneeId" TEXT,
    "status" TEXT NOT NULL DEFAULT 'OPEN',
    "resolvedAt" DATETIME,
    "agentActiveAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Conversation_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Conversation_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Contact" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Conversation_assigneeId_fkey" FOREIGN KEY ("assigneeId") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Conversation" ("agentActiveAt", "assigneeId", "businessPhoneNumberId", "contactId", "createdAt", "id", "lastInboundAt", "lastMessageAt", "lastMessagePreview", "profileName", "resolvedAt", "status", "unreadCount", "updatedAt", "waId", "workspaceId") SELECT "agentActiveAt", "assigneeId", "businessPhoneNumberId", "contactId", "createdAt", "id", "lastInboundAt", "lastMessageAt", "lastMessagePreview", "profileName", "resolvedAt", "status", "unreadCount", "updatedAt", "waId", "workspaceId" FROM "Conversation";
DROP TABLE "Conversation";
ALTER TABLE "new_Conversation" RENAME TO "Conversation";
CREATE INDEX "Conversation_workspaceId_lastMessageAt_idx" ON "Conversation"("workspaceId", "lastMessageAt");
CREATE INDEX "Conversation_workspaceId_status_lastMessageAt_idx" ON "Conversation"("workspaceId", "status", "lastMessageAt");
CREATE INDEX "Conversation_assigneeId_idx" ON "Conversation"("assigneeId");
CREATE INDEX "Conversation_contactId_idx" ON "Conversation"("contactId");
CREATE UNIQUE INDEX "Conversation_workspaceId_waId_key" ON "Conversation"("workspaceId", "waId");
CREATE UNIQUE INDEX "Conversation_workspaceId_userId_key" ON "Conversation"("workspaceId", "userId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
