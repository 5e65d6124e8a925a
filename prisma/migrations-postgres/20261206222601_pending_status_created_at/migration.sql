-- CreateIndex
CREATE INDEX "PendingStatus_createdAt_idx" ON "PendingStatus"("createdAt");
