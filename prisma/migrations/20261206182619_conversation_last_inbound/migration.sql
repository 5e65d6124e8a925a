-- CreateIndex
CREATE INDEX "Conversation_workspaceId_lastInboundAt_idx" ON "Conversation"("workspaceId", "lastInboundAt");
