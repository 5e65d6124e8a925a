import { describe, expect, it } from "vitest";
import { cloudApiErrorFromResponse, isRetryable, META_ERRORS, metaErrorInfo } from "./errors.ts";

describe("Meta's error codes", () => {
  it("reads code, title, details and trace id from Meta's error body", () => {
    const error = cloudApiErrorFromResponse(400, {
      error: {
        message: "(#131047) Re-engagement message",
        type: "OAuthException",
        code: 131047,
        error_data: { messaging_product: "whatsapp", details: "More than 24 hours have passed" },
        fbtrace_id: "AbCdEf",
      },
    });
    expect(error).toMatchObject({
      code: 131047,
      title: "Re-engagement message",
      details: "More than 24 hours have passed",
      fbtraceId: "AbCdEf",
      httpStatus: 400,
      kind: "meta",
      retryable: false,
    });
  });

  it("keeps the whole message as title when Meta sends no (#code) prefix", () => {
    const error = cloudApiErrorFromResponse(401, {
      error: { message: "Invalid OAuth access token - Cannot parse access token", type: "OAuthException", code: 190 },
    });
    expect(error).toMatchObject({ code: 190, title: "Invalid OAuth access token - Cannot parse access token", retryable: false });
  });

  it("classifies the throughput, pair-rate, unknown and WABA-rate codes as retryable and the window and undeliverable codes as final", () => {
    expect([130429, 131056, 131000, 80007].map((code) => isRetryable(code, 400))).toEqual([true, true, true, true]);
    expect([131047, 131026, 132000, 132001, 190, 100, 368].map((code) => isRetryable(code, 400))).toEqual([
      false, false, false, false, false, false, false,
    ]);
  });

  it("classifies an unknown code by its HTTP status: 5xx and 429 retryable, other 4xx final", () => {
    expect(isRetryable(999_999, 503)).toBe(true);
    expect(isRetryable(999_999, 429)).toBe(true);
    expect(isRetryable(999_999, 400)).toBe(false);
  });

  it("treats an answer without Meta's error body by its status, keeping no code", () => {
    expect(cloudApiErrorFromResponse(502, undefined)).toMatchObject({ code: null, httpStatus: 502, kind: "meta", retryable: true });
    expect(cloudApiErrorFromResponse(404, { message: "not Meta" })).toMatchObject({ code: null, retryable: false });
  });

  it("lists each code once, with a meaning", () => {
    const codes = Object.values(META_ERRORS).map((entry) => entry.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(metaErrorInfo(code)?.meaning.length).toBeGreaterThan(10);
    expect(metaErrorInfo(131047)?.name).toBe("RE_ENGAGEMENT");
  });
});
