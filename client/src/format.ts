const dateTime = new Intl.DateTimeFormat("en-IN", { dateStyle: "medium", timeStyle: "short" });
const date = new Intl.DateTimeFormat("en-IN", { dateStyle: "medium" });

/** "25 Nov 2025, 5:32 pm" in the agent's time zone, from the server's ISO DateTime. */
export function formatDateTime(iso: string): string {
  return dateTime.format(new Date(iso));
}

/** "25 Nov 2025". */
export function formatDate(iso: string): string {
  return date.format(new Date(iso));
}
