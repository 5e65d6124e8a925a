/** A lean keep-alive HTTP client for the load generators: node:http, timed by the caller. */
import http from "node:http";

export interface HttpAnswer {
  status: number;
  body: string;
}

export function keepAliveAgent(maxSockets: number) {
  return new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
}

/** One POST; resolves with the status and the whole body, or rejects after `timeoutMs`. */
export function post(agent: http.Agent, url: URL, headers: Record<string, string>, body: string | Buffer, timeoutMs = 30_000): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: "POST", agent, headers: { ...headers, "content-length": String(Buffer.byteLength(body)) }, timeout: timeoutMs },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        response.on("error", reject);
      },
    );
    request.on("timeout", () => request.destroy(new Error(`No answer within ${timeoutMs} ms`)));
    request.on("error", reject);
    request.end(body);
  });
}

/** One GET, body discarded: resolves with the status. */
export function get(agent: http.Agent, url: URL, timeoutMs = 30_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent, timeout: timeoutMs }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode ?? 0));
      response.on("error", reject);
    });
    request.on("timeout", () => request.destroy(new Error(`No answer within ${timeoutMs} ms`)));
    request.on("error", reject);
  });
}

/** A GraphQL request with a bearer token; throws on transport errors, returns GraphQL errors as they come. */
export async function graphql<T>(
  agent: http.Agent,
  url: URL,
  token: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<{ status: number; data: T | null; errors: Array<{ message: string }> }> {
  const answer = await post(agent, url, { "content-type": "application/json", authorization: `Bearer ${token}` }, JSON.stringify({ query, variables }));
  let parsed: { data?: T | null; errors?: Array<{ message: string }> };
  try {
    parsed = JSON.parse(answer.body) as typeof parsed;
  } catch {
    return { status: answer.status, data: null, errors: [{ message: `Not JSON (${answer.status}): ${answer.body.slice(0, 200)}` }] };
  }
  return { status: answer.status, data: parsed.data ?? null, errors: parsed.errors ?? [] };
}
