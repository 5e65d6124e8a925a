-- DropIndex
DROP INDEX "WhatsAppMessage_workspaceId_timestamp_idx";
