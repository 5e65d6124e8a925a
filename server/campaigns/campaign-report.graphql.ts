import { builder } from "../graphql/builder.ts";
import { CostEstimateType } from "../reports/reports.graphql.ts";
import { campaignCost } from "./campaign-report.ts";

builder.prismaObjectField("Campaign", "cost", (t) =>
  t.field({
    type: CostEstimateType,
    description:
      "What the campaign's messages cost so far: those Meta's status webhooks called billable, by the pricing category they gave, at the configured rates " +
      "(estimatedCost is the forecast made when it started). Meta's invoice is the truth.",
    select: { id: true, workspaceId: true },
    resolve: (campaign, _args, { db, config }) => campaignCost(db, campaign, config.WHATSAPP_PRICING_RATES),
  }),
);
