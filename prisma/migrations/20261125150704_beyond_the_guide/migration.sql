-- CreateTable
CREATE TABLE "Label" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workspaceId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "color" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Label_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ConversationLabel" (
    "conversationId" TEXT NOT NULL,
    "labelId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("conversationId", "labelId"),
    CONSTRAINT "ConversationLabel_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "Conversation" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ConversationLabel_labelId_fkey" FOREIGN KEY ("labelId") REFERENCES "Label" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ConversationNote" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workspaceId" TEXT NOT NULL,
    "conversationId" TEXT NOT NULL,
    "authorId" TEXT,
    "body" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ConversationNote_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ConversationNote_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "Conversation" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ConversationNote_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "CannedResponse" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workspaceId" TEXT NOT NULL,
    "shortcut" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "CannedResponse_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AutoReplyRule" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workspaceId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "keywords" TEXT,
    "reply" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "position" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "AutoReplyRule_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "WhatsAppTemplate" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workspaceId" TEXT NOT NULL,
    "metaId" TEXT,
    "name" TEXT NOT NULL,
    "language" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "components" TEXT NOT NULL,
    "rejectedReason" TEXT,
    "syncedAt" DATETIME NOT NULL,
    CONSTRAINT "WhatsAppTemplate_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Conversation" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workspaceId" TEXT NOT NULL,
    "waId" TEXT NOT NULL,
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
INSERT INTO "new_Conversation" ("businessPhoneNumberId", "contactId", "createdAt", "id", "lastInboundAt", "lastMessageAt", "lastMessagePreview", "profileName", "unreadCount", "updatedAt", "waId", "workspaceId") SELECT "businessPhoneNumberId", "contactId", "createdAt", "id", "lastInboundAt", "lastMessageAt", "lastMessagePreview", "profileName", "unreadCount", "updatedAt", "waId", "workspaceId" FROM "Conversation";
DROP TABLE "Conversation";
ALTER TABLE "new_Conversation" RENAME TO "Conversation";
CREATE INDEX "Conversation_workspaceId_lastMessageAt_idx" ON "Conversation"("workspaceId", "lastMessageAt");
CREATE INDEX "Conversation_workspaceId_status_lastMessageAt_idx" ON "Conversation"("workspaceId", "status", "lastMessageAt");
CREATE INDEX "Conversation_assigneeId_idx" ON "Conversation"("assigneeId");
CREATE INDEX "Conversation_contactId_idx" ON "Conversation"("contactId");
CREATE UNIQUE INDEX "Conversation_workspaceId_waId_key" ON "Conversation"("workspaceId", "waId");
CREATE TABLE "new_WhatsAppMessage" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workspaceId" TEXT NOT NULL,
    "conversationId" TEXT NOT NULL,
    "wamid" TEXT,
    "direction" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "text" TEXT,
    "preview" TEXT NOT NULL,
    "mediaId" TEXT,
    "mediaUrl" TEXT,
    "mediaMimeType" TEXT,
    "mediaSha256" TEXT,
    "mediaFilename" TEXT,
    "latitude" REAL,
    "longitude" REAL,
    "locationName" TEXT,
    "locationAddress" TEXT,
    "reactionEmoji" TEXT,
    "reactionToWamid" TEXT,
    "contextWamid" TEXT,
    "templateName" TEXT,
    "templateLanguage" TEXT,
    "status" TEXT NOT NULL,
    "statusAt" DATETIME,
    "errorCode" INTEGER,
    "errorTitle" TEXT,
    "errorDetails" TEXT,
    "raw" TEXT,
    "timestamp" DATETIME NOT NULL,
    "idempotencyKey" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME,
    "lockedUntil" DATETIME,
    "sentByUserId" TEXT,
    "autoReply" TEXT,
    "mediaState" TEXT,
    "mediaPath" TEXT,
    "mediaSize" INTEGER,
    "mediaAttempts" INTEGER NOT NULL DEFAULT 0,
    "mediaNextAttemptAt" DATETIME,
    "mediaError" TEXT,
    "pricingCategory" TEXT,
    "pricingBillable" BOOLEAN,
    "pricingModel" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "WhatsAppMessage_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "WhatsAppMessage_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "Conversation" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_WhatsAppMessage" ("attempts", "contextWamid", "conversationId", "createdAt", "direction", "errorCode", "errorDetails", "errorTitle", "id", "idempotencyKey", "latitude", "locationAddress", "locationName", "lockedUntil", "longitude", "mediaFilename", "mediaId", "mediaMimeType", "mediaSha256", "mediaUrl", "nextAttemptAt", "preview", "raw", "reactionEmoji", "reactionToWamid", "sentByUserId", "status", "statusAt", "templateLanguage", "templateName", "text", "timestamp", "type", "updatedAt", "wamid", "workspaceId") SELECT "attempts", "contextWamid", "conversationId", "createdAt", "direction", "errorCode", "errorDetails", "errorTitle", "id", "idempotencyKey", "latitude", "locationAddress", "locationName", "lockedUntil", "longitude", "mediaFilename", "mediaId", "mediaMimeType", "mediaSha256", "mediaUrl", "nextAttemptAt", "preview", "raw", "reactionEmoji", "reactionToWamid", "sentByUserId", "status", "statusAt", "templateLanguage", "templateName", "text", "timestamp", "type", "updatedAt", "wamid", "workspaceId" FROM "WhatsAppMessage";
DROP TABLE "WhatsAppMessage";
ALTER TABLE "new_WhatsAppMessage" RENAME TO "WhatsAppMessage";
CREATE UNIQUE INDEX "WhatsAppMessage_wamid_key" ON "WhatsAppMessage"("wamid");
CREATE INDEX "WhatsAppMessage_conversationId_timestamp_idx" ON "WhatsAppMessage"("conversationId", "timestamp");
CREATE INDEX "WhatsAppMessage_status_nextAttemptAt_idx" ON "WhatsAppMessage"("status", "nextAttemptAt");
CREATE INDEX "WhatsAppMessage_mediaState_mediaNextAttemptAt_idx" ON "WhatsAppMessage"("mediaState", "mediaNextAttemptAt");
CREATE INDEX "WhatsAppMessage_reactionToWamid_idx" ON "WhatsAppMessage"("reactionToWamid");
CREATE INDEX "WhatsAppMessage_workspaceId_timestamp_idx" ON "WhatsAppMessage"("workspaceId", "timestamp");
CREATE UNIQUE INDEX "WhatsAppMessage_workspaceId_idempotencyKey_key" ON "WhatsAppMessage"("workspaceId", "idempotencyKey");
CREATE TABLE "new_Workspace" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "timeZone" TEXT NOT NULL DEFAULT 'Asia/Kolkata',
    "businessHours" TEXT,
    "aiRepliesEnabled" BOOLEAN NOT NULL DEFAULT false
);
INSERT INTO "new_Workspace" ("createdAt", "id", "name") SELECT "createdAt", "id", "name" FROM "Workspace";
DROP TABLE "Workspace";
ALTER TABLE "new_Workspace" RENAME TO "Workspace";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "Label_workspaceId_name_key" ON "Label"("workspaceId", "name");

-- CreateIndex
CREATE INDEX "ConversationLabel_labelId_idx" ON "ConversationLabel"("labelId");

-- CreateIndex
CREATE INDEX "ConversationNote_conversationId_createdAt_idx" ON "ConversationNote"("conversationId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "CannedResponse_workspaceId_shortcut_key" ON "CannedResponse"("workspaceId", "shortcut");

-- CreateIndex
CREATE INDEX "AutoReplyRule_workspaceId_position_idx" ON "AutoReplyRule"("workspaceId", "position");

-- CreateIndex
CREATE INDEX "WhatsAppTemplate_metaId_idx" ON "WhatsAppTemplate"("metaId");

-- CreateIndex
CREATE UNIQUE INDEX "WhatsAppTemplate_workspaceId_name_language_key" ON "WhatsAppTemplate"("workspaceId", "name", "language");
