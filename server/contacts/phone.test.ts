import { describe, expect, it } from "vitest";
import { formatPhoneInternational, toE164, waIdOf, waMeLink } from "./phone.ts";

describe("WhatsApp numbers", () => {
  it.each([
    ["98765 43210", "+919876543210"],
    ["098765 43210", "+919876543210"],
    ["+91 98765-43210", "+919876543210"],
    ["(98765) 43210", "+919876543210"],
    ["919876543210", "+919876543210"],
    ["+1 (415) 555-2671", "+14155552671"],
  ])("reads %j as %s with India as the default country", (typed, e164) => {
    expect(toE164(typed, "IN")).toBe(e164);
  });

  it("reads national numbers in the configured default country", () => {
    expect(toE164("(415) 555-2671", "US")).toBe("+14155552671");
  });

  it.each(["12345", "abc", "98765 4321a", "call 98765 43210", "98765 43210 ext 2", "", "+"])(
    "refuses %j",
    (typed) => {
      expect(toE164(typed, "IN")).toBeNull();
    },
  );

  it.each([
    ["+919876543210", "+91 98765 43210"],
    ["+14155552671", "+1 415 555 2671"],
    ["+447911123456", "+44 7911 123456"],
  ])("shows %s to people as %s", (e164, shown) => {
    expect(formatPhoneInternational(e164)).toBe(shown);
  });

  it("makes the wa.me link from the digits only", () => {
    expect(waIdOf("+919876543210")).toBe("919876543210");
    expect(waMeLink("+919876543210")).toBe("https://wa.me/919876543210");
  });
});
