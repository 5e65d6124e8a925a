// An independent stand-in for the Graph API's send endpoint, in a process of its own: it only
// accepts every message and notes when each request arrived, by its own clock — what Meta's
// throughput limit counts — so a test can check the product's pacing from the outside.
import { spawn } from "node:child_process";
import http from "node:http";
import { fileURLToPath } from "node:url";

/** Meta takes a while to answer; the answer's delay must not change what arrives when. */
const ANSWER_DELAY_MS = { min: 20, max: 150 };

function serve() {
  const arrivals: number[] = [];
  let sequence = 0;
  const server = http.createServer((request, response) => {
    const arrivedAt = performance.now();
    if (request.method === "GET" && request.url === "/arrivals") {
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(arrivals));
      return;
    }
    if (request.method !== "POST" || !request.url?.endsWith("/messages")) {
      response.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "Unknown path", code: 100 } }));
      return;
    }
    arrivals.push(arrivedAt);
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const { to } = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { to: string };
      const answer = { messaging_product: "whatsapp", contacts: [{ input: to, wa_id: to }], messages: [{ id: `wamid.stand-in.${++sequence}` }] };
      const delay = ANSWER_DELAY_MS.min + Math.random() * (ANSWER_DELAY_MS.max - ANSWER_DELAY_MS.min);
      setTimeout(() => response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer)), delay);
    });
  });
  server.listen(0, "127.0.0.1", () => {
    const address = server.address();
    if (address && typeof address === "object") process.stdout.write(`listening on http://127.0.0.1:${address.port}\n`);
  });
  process.once("SIGTERM", () => server.close(() => process.exit(0)));
}

/** Starts the stand-in; `arrivals()` answers when each send arrived, in ms of the stand-in's clock. */
export async function startGraphApiStandIn() {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url)], { stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("The Graph API stand-in did not start within 20 s")), 20_000);
    child.stdout.on("data", (chunk: Buffer) => {
      const match = /listening on (http:\/\/\S+)/.exec(chunk.toString());
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once("exit", (code) => reject(new Error(`The Graph API stand-in exited with ${code}`)));
  });
  return {
    url,
    async arrivals(): Promise<number[]> {
      return (await (await fetch(`${url}/arrivals`)).json()) as number[];
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** The most arrivals in any one second (a sliding window, as a limit on arrivals must be read). */
export function busiestSecond(arrivals: number[]): number {
  const sorted = [...arrivals].sort((a, b) => a - b);
  let most = 0;
  for (let start = 0, end = 0; start < sorted.length; start++) {
    while (end < sorted.length && sorted[end]! < sorted[start]! + 1000) end++;
    most = Math.max(most, end - start);
  }
  return most;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) serve();
