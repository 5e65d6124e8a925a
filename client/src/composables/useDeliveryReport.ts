import { useQuery } from "@urql/vue";
import { computed, ref } from "vue";
import { localDay } from "../format.ts";
import { DeliveryReportQuery } from "../graphql/reports.ts";

/** The range a report opens with: the last 30 days, today included. */
export function defaultRange(now = new Date()) {
  return { from: localDay(new Date(now.getFullYear(), now.getMonth(), now.getDate() - 29)), to: localDay(now) };
}

/** The CSV of the same figures: a plain link, so the browser downloads it with the session cookie. */
export function dailyCsvUrl(from: string, to: string): string {
  return `/api/reports/daily.csv?${new URLSearchParams({ from, to })}`;
}

/**
 * The workspace's delivery report for a date range the agent picks. The server validates the
 * range; its ValidationError message is shown as `rangeError`.
 */
export function useDeliveryReport(now = new Date()) {
  const initial = defaultRange(now);
  const from = ref(initial.from);
  const to = ref(initial.to);
  const query = useQuery({
    query: DeliveryReportQuery,
    variables: () => ({ from: from.value, to: to.value }),
    // Half-typed dates (an empty input) are not worth a request.
    pause: () => !from.value || !to.value,
    requestPolicy: "cache-and-network",
  });
  const answer = computed(() => query.data.value?.deliveryReport);
  const report = computed(() => (answer.value?.__typename === "QueryDeliveryReportSuccess" ? answer.value.report : null));
  const rangeError = computed(() => (answer.value?.__typename === "ValidationError" ? answer.value.message : null));
  const failed = computed(() => !answer.value && query.error.value !== undefined);
  const csvUrl = computed(() => (report.value ? dailyCsvUrl(report.value.from, report.value.to) : null));

  return {
    from,
    to,
    report,
    rangeError,
    failed,
    fetching: query.fetching,
    csvUrl,
    retry: () => query.executeQuery({ requestPolicy: "network-only" }),
  };
}
