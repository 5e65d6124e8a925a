import { describe, expect, it } from "vitest";
import { signPayload, verifySignature, verifyTokenMatches } from "./signature.ts";

const SECRET = "app-secret";
const BODY = Buffer.from('{"object":"whatsapp_business_account"}');

describe("webhook signatures", () => {
  it("signs as Meta does: sha256= and the hex HMAC-SHA256 of the bytes under the app secret", () => {
    // Computed independently: printf '<body>' | openssl dgst -sha256 -hmac 'app-secret'
    expect(signPayload(BODY, SECRET)).toBe("sha256=0bf7374433906636bed1653bc7c64affb42fa5da9a39e251ab95c2e3a9c06923");
    expect(signPayload(BODY.toString("utf8"), SECRET)).toBe(signPayload(BODY, SECRET));
  });

  it("accepts a body with its own signature", () => {
    expect(verifySignature(BODY, signPayload(BODY, SECRET), SECRET)).toBe(true);
  });

  it("refuses a body changed by a single byte", () => {
    const changed = Buffer.from(BODY);
    changed[changed.length - 2] ^= 0x01;
    expect(verifySignature(changed, signPayload(BODY, SECRET), SECRET)).toBe(false);
  });

  it("refuses a signature made with another secret", () => {
    expect(verifySignature(BODY, signPayload(BODY, "another-secret"), SECRET)).toBe(false);
  });

  it("refuses re-serialised JSON, because Meta signs its own escaped bytes", () => {
    const metaBytes = Buffer.from('{"text":"\\u0928\\u092e","url":"https:\\/\\/wa.me"}');
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(metaBytes.toString("utf8"))));
    expect(verifySignature(reserialised, signPayload(metaBytes, SECRET), SECRET)).toBe(false);
  });

  it.each([
    ["a missing header", undefined],
    ["an empty header", ""],
    ["a prefix without digest", "sha256="],
    ["a sha1 signature", `sha1=${"a".repeat(40)}`],
    ["a digest one hex digit short", signPayload(BODY, SECRET).slice(0, -1)],
    ["a digest one hex digit long", `${signPayload(BODY, SECRET)}0`],
    ["non-hex characters", `sha256=${"z".repeat(64)}`],
    ["two signatures joined", `${signPayload(BODY, SECRET)}, ${signPayload(BODY, SECRET)}`],
  ])("refuses %s", (_label, header) => {
    expect(verifySignature(BODY, header, SECRET)).toBe(false);
  });

  it("verifies nothing when the app secret is empty, even a signature made with it", () => {
    expect(verifySignature(BODY, signPayload(BODY, ""), "")).toBe(false);
  });
});

describe("the verify token of Meta's handshake", () => {
  it("matches only the exact token, compared as equal-length digests whatever the guess's length", () => {
    expect(verifyTokenMatches("verify-me", "verify-me")).toBe(true);
    for (const guess of ["", "v", "verify-m", "verify-me ", "Verify-me", "verify-me-and-more", "x".repeat(10_000)]) {
      expect(verifyTokenMatches(guess, "verify-me")).toBe(false);
    }
    expect(verifyTokenMatches(["verify-me", "verify-me"], "verify-me")).toBe(false);
    expect(verifyTokenMatches(undefined, "verify-me")).toBe(false);
    expect(verifyTokenMatches("verify-me", undefined)).toBe(false);
    expect(verifyTokenMatches("", "")).toBe(false);
  });
});
