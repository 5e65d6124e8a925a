import type { FastifyInstance, FastifyRequest } from "fastify";
import { isTimingDeliveries, startDeliveryTimeline, type DeliveryTimeline } from "../step-timing.ts";

const timelines = new WeakMap<FastifyRequest, DeliveryTimeline>();

/**
 * Starts a delivery's timeline (step-timing.ts) in the first of all hooks, so that every other
 * hook is in it. Registered only when something listens at start-up (the benchmark's preload):
 * otherwise no hook is added at all.
 */
export function timeDeliveryRequests(app: FastifyInstance, path: string) {
  if (!isTimingDeliveries()) return;
  app.addHook("onRequest", (request, _reply, done) => {
    if (request.method === "POST" && request.routeOptions.url === path) {
      const timeline = startDeliveryTimeline();
      if (timeline) timelines.set(request, timeline);
    }
    done();
  });
  // First of their kinds too: the time to here is every onRequest hook, then the body.
  app.addHook("preParsing", (request, _reply, payload, done) => {
    timelines.get(request)?.mark("request hooks");
    done(null, payload);
  });
  app.addHook("preValidation", (request, _reply, done) => {
    timelines.get(request)?.mark("body read");
    done();
  });
}

/** The timeline of a delivery being timed, or null. */
export function deliveryTimeline(request: FastifyRequest): DeliveryTimeline | null {
  return timelines.get(request) ?? null;
}
