import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiToken } from "../../auth/auth.service.ts";
import { ADMIN_EMAIL, graphql } from "../support/harness.ts";
import { startInstances, type Instances } from "../support/instances.ts";
import { openLiveSocket } from "../support/live-socket.ts";
import { eventually } from "../support/simulated-whatsapp.ts";
import { deliverWebhook, WEBHOOK_ENV } from "../support/webhook-client.ts";
import { change, envelope, inbound } from "../support/webhook-fixtures.ts";

let instances: Instances;
beforeAll(async () => {
  instances = await startInstances(2, WEBHOOK_ENV);
});
afterAll(() => instances?.stop());

describe("revocation across instances", () => {
  it("closes a socket on instance A within a second of its token being revoked on instance B", async () => {
    const [instanceA, instanceB] = instances.servers as [NonNullable<Instances["servers"][0]>, NonNullable<Instances["servers"][0]>];
    const { db } = instanceA.app;
    const admin = await db.user.findUniqueOrThrow({ where: { email: ADMIN_EMAIL } });
    const { token, apiToken } = await createApiToken(db, { userId: admin.id, workspaceId: admin.workspaceId, role: admin.role, csrfToken: null }, "live on A");
    const socket = openLiveSocket(instanceA.url, { token });
    try {
      await socket.connected;
      const messages = socket.operate<{ messageAdded: { text: string } }>("subscription { messageAdded { text } }");
      await eventually(async () => {
        await deliverWebhook(instanceB, envelope(change({ messages: [inbound({ type: "text", text: { body: "before" } })] })));
        return messages.events.length > 0;
      }, "A's subscriber to hear a webhook received by B");

      const revoked = await graphql(instanceB, `mutation($id: ID!) { revokeApiToken(id: $id) { __typename } }`, { id: apiToken.id }, { token });
      expect(revoked.errors).toBeUndefined();
      const answeredAt = Date.now();
      const close = await Promise.race([socket.closed, new Promise<null>((resolve) => setTimeout(() => resolve(null), 3000))]);
      expect(close?.code).toBe(4401);
      expect(close!.at - answeredAt).toBeLessThan(1000);
    } finally {
      await socket.dispose();
    }
  });
});
