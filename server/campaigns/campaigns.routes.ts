import { Readable } from "node:stream";
import type { FastifyInstance } from "fastify";
import { viewerOf } from "../auth/http-auth.ts";
import type { Database } from "../db/client.ts";
import { requireCampaign } from "./campaigns.service.ts";
import { recipientsCsv, recipientsCsvFilename } from "./recipients-csv.ts";

/** Where the campaign report's "Download CSV" points. */
export const recipientsCsvRoute = (campaignId: string) => `/api/campaigns/${encodeURIComponent(campaignId)}/recipients.csv`;

export function registerCampaignRoutes(app: FastifyInstance, { db }: { db: Database }) {
  app.get<{ Params: { id: string } }>("/api/campaigns/:id/recipients.csv", async (request, reply) => {
    // Before any byte is sent: another workspace's campaign, or none, answers 404 (http/error.ts).
    const campaign = await requireCampaign(db, viewerOf(request).workspaceId, request.params.id);
    return reply
      .header("content-type", "text/csv; charset=utf-8")
      .header("content-disposition", `attachment; filename="${recipientsCsvFilename(campaign)}"`)
      .header("cache-control", "no-store")
      .send(Readable.from(recipientsCsv(db, campaign)));
  });
}
