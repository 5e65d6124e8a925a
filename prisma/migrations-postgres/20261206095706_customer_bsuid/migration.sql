-- AlterTable
ALTER TABLE "Conversation" ADD COLUMN     "parentUserId" TEXT,
ADD COLUMN     "userId" TEXT,
ADD COLUMN     "username" TEXT,
ALTER COLUMN "waId" DROP NOT NULL;

-- CreateIndex
CREATE UNIQUE INDEX "Conversation_workspaceId_userId_key" ON "Conversation"("workspaceId", "userId");
