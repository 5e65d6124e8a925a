import { onScopeDispose, ref, watch, type Ref } from "vue";

/** Follows `source` once it has stopped changing for `delayMs`: one request per pause in typing. */
export function useDebouncedRef<T>(source: Readonly<Ref<T>>, delayMs: number): Readonly<Ref<T>> {
  const debounced = ref(source.value) as Ref<T>;
  let timer: ReturnType<typeof setTimeout> | undefined;
  watch(source, (value) => {
    clearTimeout(timer);
    timer = setTimeout(() => (debounced.value = value), delayMs);
  });
  onScopeDispose(() => clearTimeout(timer));
  return debounced;
}
