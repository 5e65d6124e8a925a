import { describe, expect, it } from "vitest";
import { connectFieldErrors } from "./useWhatsAppNumbers.ts";

describe("Meta's refusals on the Connect form", () => {
  it("puts each refusal under the field to correct", () => {
    expect(connectFieldErrors({ __typename: "WhatsAppTokenRefusedError", message: "Meta refused this access token: expired" })).toEqual([
      { field: "accessToken", message: "Meta refused this access token: expired" },
    ]);
    expect(connectFieldErrors({ __typename: "WhatsAppNumberNotFoundError", field: "businessAccountId", message: "Not in that account" })).toEqual([
      { field: "businessAccountId", message: "Not in that account" },
    ]);
    expect(connectFieldErrors({ __typename: "WhatsAppNumberTakenError", message: "Connected to another workspace" })).toEqual([
      { field: "phoneNumberId", message: "Connected to another workspace" },
    ]);
  });

  it("leaves what belongs to no field (Meta unreachable, not allowed) to the form's own message", () => {
    expect(connectFieldErrors({ __typename: "WhatsAppUnavailableError", message: "Meta could not check the number right now" })).toEqual([]);
    expect(connectFieldErrors({ __typename: "ForbiddenError", message: "Only admins can connect WhatsApp numbers" })).toEqual([]);
  });
});
