import type { FastifyInstance } from "fastify";
import { viewerOf } from "../auth/http-auth.ts";
import type { Config } from "../config.ts";
import type { Database } from "../db/client.ts";
import { dailyReportCsv } from "./csv.ts";
import { deliveryReport } from "./reports.service.ts";

/** Where the reports page's "Download CSV" points; the same range arguments as `deliveryReport`. */
export const DAILY_CSV_ROUTE = "/api/reports/daily.csv";

export function registerReportRoutes(app: FastifyInstance, { db, config }: { db: Database; config: Config }) {
  app.get<{ Querystring: { from?: unknown; to?: unknown } }>(DAILY_CSV_ROUTE, async (request, reply) => {
    const { from, to } = request.query;
    // A repeated parameter arrives as an array: refuse it rather than guess which one was meant.
    const text = (value: unknown) => (typeof value === "string" ? value : value === undefined ? undefined : "not a date");
    // A refused range answers 400 with its fieldErrors through http/error.ts.
    const report = await deliveryReport(db, viewerOf(request).workspaceId, { from: text(from), to: text(to) }, config.WHATSAPP_PRICING_RATES);
    return reply
      .header("content-type", "text/csv; charset=utf-8")
      .header("content-disposition", `attachment; filename="messages-${report.from}-to-${report.to}.csv"`)
      .header("cache-control", "no-store")
      .send(dailyReportCsv(report));
  });
}
