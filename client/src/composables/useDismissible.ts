import { onScopeDispose, watch, type Ref } from "vue";

/**
 * A small menu or panel that closes when the agent taps or clicks anywhere outside `root`, as
 * menus do everywhere else — listening only while it is open.
 */
export function useDismissible(open: Ref<boolean>, root: Readonly<Ref<HTMLElement | null>>) {
  const outside = (event: PointerEvent) => {
    if (event.target instanceof Node && !root.value?.contains(event.target)) open.value = false;
  };
  const stop = () => document.removeEventListener("pointerdown", outside);
  watch(open, (isOpen) => (isOpen ? document.addEventListener("pointerdown", outside) : stop()));
  onScopeDispose(stop);
}
