import { describe, expect, it } from "vitest";
import { graphql } from "../tests/support/harness.ts";
import { withCustomersWhoWrite } from "../tests/support/customers-who-write.ts";

const { server, simulator, db, customerWhoWrote } = withCustomersWhoWrite({ waIdPrefix: "9195000", name: "Spammer", text: "Buy now!!!" });

const BLOCK = `mutation($id: ID!) { blockCustomer(conversationId: $id) { __typename
  ... on MutationBlockCustomerSuccess { conversation { id blocked blockedAt } }
  ... on BlockRefusedError { message code } ... on NotFoundError { message } } }`;
const UNBLOCK = `mutation($id: ID!) { unblockCustomer(conversationId: $id) { __typename
  ... on MutationUnblockCustomerSuccess { conversation { id blocked blockedAt } }
  ... on BlockRefusedError { message code } } }`;
const OPEN = `{ conversations(status: OPEN, first: 100) { edges { node { id } } } }`;

const openIds = async () => ((await graphql(server(), OPEN)).data!.conversations.edges as Array<{ node: { id: string } }>).map((edge) => edge.node.id);
const blockRequests = () => simulator().requests().filter((request) => request.path.endsWith("/block_users"));

describe("blocking a customer", () => {
  it("blocks at Meta, shows the state, takes the conversation off the Open list and refuses to write to them", async () => {
    const { waId, conversationId } = await customerWhoWrote();
    expect(await openIds()).toContain(conversationId);
    const answer = await graphql(server(), BLOCK, { id: conversationId });
    expect(answer.data!.blockCustomer).toMatchObject({ __typename: "MutationBlockCustomerSuccess", conversation: { id: conversationId, blocked: true, blockedAt: expect.any(String) } });
    expect(simulator().blockedUsers()).toContain(waId);
    expect(await openIds()).not.toContain(conversationId);

    const sent = await graphql(server(), `mutation($to: String!) { sendWhatsApp(input: { phoneNumber: $to, message: "hello?" }) { __typename ... on ValidationError { message } } }`, { to: `+${waId}` });
    expect(sent.data!.sendWhatsApp).toEqual({ __typename: "ValidationError", message: "You blocked this customer: unblock them to write to them" });
    expect(simulator().sentMessages().filter((message) => message.to === waId)).toHaveLength(0);

    const unblocked = await graphql(server(), UNBLOCK, { id: conversationId });
    expect(unblocked.data!.unblockCustomer).toMatchObject({ conversation: { blocked: false, blockedAt: null } });
    expect(simulator().blockedUsers()).not.toContain(waId);
    expect(await openIds()).toContain(conversationId);
  });

  it("refuses, before asking Meta, a customer who has not written in the last 24 hours", async () => {
    const { conversationId } = await customerWhoWrote();
    await db().conversation.update({ where: { id: conversationId }, data: { lastInboundAt: new Date(Date.now() - 25 * 3_600_000) } });
    const before = blockRequests().length;
    const answer = await graphql(server(), BLOCK, { id: conversationId });
    expect(answer.data!.blockCustomer).toEqual({
      __typename: "BlockRefusedError",
      message: "WhatsApp lets you block a customer only within 24 hours of their last message, and this customer has not written since",
      code: null,
    });
    expect(blockRequests()).toHaveLength(before);
    expect((await db().conversation.findUniqueOrThrow({ where: { id: conversationId } })).blockedAt).toBeNull();
  });

  it("says why when Meta refuses, and stores nothing", async () => {
    const { waId, conversationId } = await customerWhoWrote();
    // Meta's clock disagrees with ours: it has the customer's last message over a day ago.
    simulator().setCustomer(waId, { lastInboundHoursAgo: 25 });
    const answer = await graphql(server(), BLOCK, { id: conversationId });
    expect(answer.data!.blockCustomer).toEqual({
      __typename: "BlockRefusedError",
      message: "WhatsApp did not block this customer: User has not messaged in the last 24 hours",
      code: 131047,
    });
    expect((await db().conversation.findUniqueOrThrow({ where: { id: conversationId } })).blockedAt).toBeNull();
  });

  it("answers NotFoundError for another workspace's or an unknown conversation", async () => {
    expect((await graphql(server(), BLOCK, { id: "nope" })).data!.blockCustomer.__typename).toBe("NotFoundError");
  });
});
