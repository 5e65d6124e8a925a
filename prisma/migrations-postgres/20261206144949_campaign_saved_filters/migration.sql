-- AlterTable
ALTER TABLE "Campaign" ADD COLUMN     "splitOverDays" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "SavedFilter" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "hasConversation" BOOLEAN NOT NULL DEFAULT false,
    "lastMessageWithinDays" INTEGER,
    "optedIn" BOOLEAN NOT NULL DEFAULT false,
    "labelIds" TEXT NOT NULL DEFAULT '[]',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SavedFilter_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "SavedFilter_workspaceId_name_key" ON "SavedFilter"("workspaceId", "name");

-- AddForeignKey
ALTER TABLE "SavedFilter" ADD CONSTRAINT "SavedFilter_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;
