-- AlterTable
ALTER TABLE "Workspace" ADD COLUMN "optOutKeywords" TEXT;

-- CreateTable
CREATE TABLE "ContactLabel" (
    "contactId" TEXT NOT NULL,
    "labelId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("contactId", "labelId"),
    CONSTRAINT "ContactLabel_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Contact" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ContactLabel_labelId_fkey" FOREIGN KEY ("labelId") REFERENCES "Label" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- AlterTable (ADD COLUMN rather than the table rebuild Prisma writes: the same end state, and it merges with other branches' columns)
ALTER TABLE "Contact" ADD COLUMN "marketingConsent" TEXT NOT NULL DEFAULT 'UNKNOWN';
ALTER TABLE "Contact" ADD COLUMN "marketingConsentAt" DATETIME;
ALTER TABLE "Contact" ADD COLUMN "marketingConsentSource" TEXT;

-- CreateIndex
CREATE INDEX "ContactLabel_labelId_idx" ON "ContactLabel"("labelId");
