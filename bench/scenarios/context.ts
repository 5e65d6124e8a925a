/** What every scenario gets from the runner, and the servers the live scenarios share. */
import type { Sizes } from "../options.ts";
import type { ProductServer, ServerUnderTest } from "../product-server.ts";
import type { FigureInput } from "../report.ts";

export interface ScenarioContext {
  sizes: Sizes;
  /** Where the product writes CPU profiles (--profile), or null. */
  profileDir: string | null;
  /** Progress, on stderr: stdout carries only the table. */
  log(message: string): void;
  addFigure(figure: FigureInput): void;
  /** Raw measurements, kept in the JSON under the scenario's name. */
  addRaw(entry: unknown): void;
  /** Markdown printed after the table: a breakdown that is not a figure. */
  addSection(markdown: string): void;
  /** The product server's CPU profile (--profile), summarised at the end from its readiness on. */
  addProfile(server: ProductServer): void;
  /** The product and the floor for connections, push and polling: started once, on first use. */
  liveServers(): Promise<LiveServers>;
  /** Stops them (if started) and starts a fresh pair, which the next scenarios then share. */
  restartLiveServers(): Promise<LiveServers>;
}

export interface LiveServers {
  product: ProductServer;
  floor: ServerUnderTest;
  /** The conversation the polling scenario writes into, and its customer. */
  conversationId: string;
  customerWaId: string;
  stop(): Promise<void>;
}

export type Scenario = (context: ScenarioContext) => Promise<void>;
