import { onScopeDispose, shallowRef, type Ref } from "vue";

/** The current time, refreshed every `intervalMs`: for labels that age ("until 17:32", "Yesterday"). */
export function useNow(intervalMs = 30_000): Readonly<Ref<Date>> {
  const now = shallowRef(new Date());
  const timer = setInterval(() => (now.value = new Date()), intervalMs);
  onScopeDispose(() => clearInterval(timer));
  return now;
}
