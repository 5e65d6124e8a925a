import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { stripVTControlCharacters } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { eventually } from "../support/simulated-whatsapp.ts";
import { serverEnvironment, startServerProcess, type ServerProcess } from "../support/server-process.ts";

// A newcomer's first start: the server in a terminal (a pseudo-terminal), a fresh database, no
// ADMIN_PASSWORD, and a browser's first requests. The generated password must stand out.

const dir = mkdtempSync(path.join(tmpdir(), "bharat-start-up-"));
let server: ServerProcess | null = null;
afterAll(async () => {
  await server?.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

describe("the first start in a terminal", () => {
  it("writes human-readable lines, frames the first admin's password, and leaves requests to the debug level", async () => {
    const env = await serverEnvironment(dir, { NODE_ENV: "development", LOG_LEVEL: "info", LOG_FORMAT: "auto", ADMIN_EMAIL: "owner@example.com", ADMIN_PASSWORD: "" });
    server = await startServerProcess(env, 60_000, { terminal: true });
    for (const route of ["/", "/login", "/api/auth/session", "/graphql", "/readyz"]) await fetch(`${server.url}${route}`);
    // Ctrl-C, as the newcomer would press it: its line comes after any line the requests wrote.
    server.child.stdin!.write("\x03");
    await eventually(async () => server!.output().includes("SIGINT: shutting down"), "the shutdown line", 30_000);
    const lines = stripVTControlCharacters(server.output()).split(/\r?\n/);

    const admin = lines.findIndex((line) => line.includes("Created the first admin account: owner@example.com / "));
    expect(admin, lines.join("\n")).toBeGreaterThan(0);
    // In a box of its own, set apart by a blank line, its password on the same line as the email.
    expect(lines[admin - 1]).toMatch(/^╔═+╗$/);
    expect(lines[admin - 2]!.trim()).toBe("");
    expect(lines[admin]).toMatch(/^║ {2}Created the first admin account: owner@example\.com \/ [\w-]{16} +║$/);
    expect(lines[admin + 1]).toMatch(/^║ {2}Keep the password: it is shown only this once\. +║$/);
    expect(lines[admin + 2]).toMatch(/^╚═+╝$/);
    expect(lines[admin + 2]!.length).toBe(lines[admin - 1]!.length);

    // Human-readable: a time, a level and the message; no JSON object anywhere.
    expect(lines).toContainEqual(expect.stringMatching(/^\[\d\d:\d\d:\d\d\] INFO: Bharat CRM is running on http:\/\/127\.0\.0\.1:\d+ \(started in \d+ ms\)$/));
    expect(lines.filter((line) => line.trimStart().startsWith('{"'))).toEqual([]);
    // The browser's requests wrote nothing at info.
    expect(lines.filter((line) => /incoming request|request completed|"reqId"|reqId:/.test(line))).toEqual([]);
    expect(await server.exited).toEqual({ code: 0, signal: null });
  });
});
