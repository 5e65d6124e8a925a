import type { FastifyInstance } from "fastify";
import type { Database } from "../db/client.ts";

/** `/healthz`: the process answers. `/readyz`: it can reach its database (for load balancers). */
export function registerHealthRoutes(app: FastifyInstance, db: Database) {
  app.get("/healthz", { config: { public: true }, logLevel: "warn" }, async () => ({ status: "ok" }));
  app.get("/readyz", { config: { public: true }, logLevel: "warn" }, async (_request, reply) => {
    try {
      await db.$queryRaw`SELECT 1`;
      return { status: "ready" };
    } catch {
      return reply.status(503).send({ status: "unavailable", error: "Database unreachable" });
    }
  });
}
