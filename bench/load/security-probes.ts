/**
 * The probes of issue 15 (items 2, 3, 4 and 7), run by hand against a started server on loopback:
 *
 *   npx tsx bench/load/security-probes.ts <probe> <base URL> [server pid]
 *
 * The server needs WHATSAPP_APP_SECRET=bench-app-secret-0123456789abcdef (bench/fixtures.ts) for
 * `load`. Every probe is bounded: a fixed number of requests or connections, closed at the end.
 *   load   4,000 signed one-message webhook POSTs at concurrency 32: answers by status, POST/s
 *   slow   100 connections sending ~2.8 MB of a 2.9 MB webhook body, then one byte a second:
 *          how many stay open, and the server's RSS (give its pid), over 30 s
 *   xff    12 wrong logins under 12 invented X-Forwarded-For; then 12 nginx-style (forged, real)
 *   login  10 wrong logins under spellings of one email, then the right password behind spaces
 *   hold   one connection each: headers and one body byte to the webhook and to login, an unsigned
 *          webhook POST's headers only, a half-sent header block: first answer line and seconds
 *          until the server closes it (given up after 25 s)
 */
import { readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { keepAliveAgent, post } from "./http.ts";
import { makeDeliveries } from "./payloads.ts";

const [probe, base, serverPid] = process.argv.slice(2);
if (!probe || !base) throw new Error("usage: security-probes.ts <load|slow|xff|login> <base URL> [server pid]");
const baseUrl = new URL(base);
if (!["127.0.0.1", "localhost", "[::1]"].includes(baseUrl.hostname)) throw new Error("loopback only");

const LOGIN_EMAIL = process.env.PROBE_EMAIL ?? "agent@example.com";
const LOGIN_PASSWORD = process.env.PROBE_PASSWORD ?? "correct-horse";

async function load() {
  const deliveries = makeDeliveries(
    { runTag: `probe${Date.now()}`, seed: 15, customers: Array.from({ length: 200 }, (_, index) => `9170000${String(index).padStart(5, "0")}`), statusTargets: [], minItems: 1, maxItems: 1, statusShare: 0 },
    4_000,
  );
  const agent = keepAliveAgent(32);
  const url = new URL("/api/whatsapp/webhook", baseUrl);
  const statuses: Record<string, number> = {};
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < deliveries.length) {
        const delivery = deliveries[next++]!;
        const answer = await post(agent, url, { "content-type": "application/json", "x-hub-signature-256": delivery.signature }, delivery.body).catch(() => ({ status: "error" }));
        statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  console.log(JSON.stringify({ probe: "load", posts: deliveries.length, concurrency: 32, statuses, seconds: +seconds.toFixed(2), postsPerSecond: Math.round(deliveries.length / seconds) }));
}

function rssMb(): number | null {
  if (!serverPid) return null;
  const line = readFileSync(`/proc/${serverPid}/status`, "utf8").split("\n").find((entry) => entry.startsWith("VmRSS:"));
  return line ? Math.round(Number(line.replace(/\D/g, "")) / 1024) : null;
}

async function slow() {
  const connections: Array<{ socket: Socket; open: boolean; answer: string }> = [];
  const rssBefore = rssMb();
  const chunk = Buffer.alloc(64 * 1024, "x");
  for (let index = 0; index < 100; index++) {
    const socket = connect(Number(baseUrl.port), baseUrl.hostname);
    const state = { socket, open: true, answer: "" };
    socket.on("data", (data) => (state.answer ||= data.toString("latin1").split("\r\n")[0]!));
    socket.on("close", () => (state.open = false));
    socket.on("error", () => {});
    socket.write(`POST /api/whatsapp/webhook HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nX-Hub-Signature-256: sha256=${"0".repeat(64)}\r\nContent-Length: ${2_900_000}\r\n\r\n{"x":"`);
    connections.push(state);
  }
  // ~2.8 MB each, as fast as the server takes it, then one byte a second.
  await Promise.all(
    connections.map(async ({ socket }) => {
      for (let sent = 0; sent < 2_800_000 && !socket.destroyed; sent += chunk.length) {
        if (!socket.write(chunk)) await new Promise((resolve) => socket.once("drain", resolve).once("close", resolve));
      }
    }),
  );
  const trickle = setInterval(() => connections.forEach(({ socket, open }) => open && socket.write("x")), 1000);
  const report = (at: string) => {
    const answers: Record<string, number> = {};
    for (const { answer } of connections) answers[answer || "none"] = (answers[answer || "none"] ?? 0) + 1;
    console.log(JSON.stringify({ probe: "slow", at, open: connections.filter(({ open }) => open).length, answers, serverRssMb: rssMb(), serverRssMbBefore: rssBefore }));
  };
  report("body sent");
  for (const at of [15, 30]) {
    await new Promise((resolve) => setTimeout(resolve, at === 15 ? 15_000 : 15_000));
    report(`${at} s`);
  }
  clearInterval(trickle);
  for (const { socket } of connections) socket.destroy();
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  console.log(JSON.stringify({ probe: "slow", at: "all closed by the client + 3 s", serverRssMb: rssMb() }));
}

async function login(email: string, password: string, headers: Record<string, string> = {}) {
  const response = await fetch(new URL("/api/auth/login", baseUrl), { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ email, password }) });
  await response.body?.cancel();
  return response.status;
}

async function xff() {
  const invented: number[] = [];
  for (let index = 0; index < 12; index++) invented.push(await login(LOGIN_EMAIL, "wrong", { "x-forwarded-for": `198.51.100.${index}` }));
  const nginxStyle: number[] = [];
  for (let index = 0; index < 12; index++) nginxStyle.push(await login(`other-${LOGIN_EMAIL}`, "wrong", { "x-forwarded-for": `198.51.100.${index + 100}, 203.0.113.7` }));
  console.log(JSON.stringify({ probe: "xff", invented, nginxStyle }));
}

async function spellings() {
  const variants = [` ${LOGIN_EMAIL}`, `${LOGIN_EMAIL}\t`, `\u00a0${LOGIN_EMAIL}`, LOGIN_EMAIL.toUpperCase(), LOGIN_EMAIL.replace("a", "\uff41"), `${LOGIN_EMAIL}\u2003`, `\u200b${LOGIN_EMAIL}`, `${LOGIN_EMAIL}\n`, ` ${LOGIN_EMAIL} `, LOGIN_EMAIL];
  const wrong: number[] = [];
  for (const email of variants) wrong.push(await login(email, "wrong"));
  console.log(JSON.stringify({ probe: "login", wrong, rightPasswordBehindSpaces: await login(`${LOGIN_EMAIL}   `, LOGIN_PASSWORD), exactAddress: await login(LOGIN_EMAIL, LOGIN_PASSWORD) }));
}

function holdOne(head: string) {
  return new Promise<{ answer: string; closedAfterSeconds: number | null }>((resolve) => {
    const started = performance.now();
    const socket = connect(Number(baseUrl.port), baseUrl.hostname);
    let answer = "";
    const giveUp = setTimeout(() => {
      socket.destroy();
      resolve({ answer, closedAfterSeconds: null });
    }, 25_000);
    socket.on("data", (data) => (answer ||= data.toString("latin1").split("\r\n")[0]!));
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(giveUp);
      resolve({ answer, closedAfterSeconds: +((performance.now() - started) / 1000).toFixed(1) });
    });
    socket.write(head);
  });
}

async function hold() {
  const head = (path: string, extra: string) => `POST ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n${extra}\r\n`;
  const results = await Promise.all([
    holdOne(`${head("/api/whatsapp/webhook", `X-Hub-Signature-256: sha256=${"0".repeat(64)}\r\nContent-Length: 2900000\r\n`)}{`),
    holdOne(`${head("/api/auth/login", "Content-Length: 1000\r\n")}{`),
    holdOne(head("/api/whatsapp/webhook", "Content-Length: 1000000\r\n")),
    holdOne("POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Ty"),
  ]);
  const names = ["webhook, one body byte", "login, one body byte", "unsigned webhook, headers only", "half a header block"];
  console.log(JSON.stringify({ probe: "hold", ...Object.fromEntries(names.map((name, index) => [name, results[index]])) }));
}

const probes: Record<string, () => Promise<void>> = { load, slow, xff, login: spellings, hold };
if (!probes[probe]) throw new Error(`unknown probe ${probe}`);
await probes[probe]();
