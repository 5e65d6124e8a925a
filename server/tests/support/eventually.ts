/**
 * The server tests' one way to wait: until `check` answers something truthy (real time, no fake
 * timers), which it returns; fails naming `what` after `timeoutMs`. Never a fixed sleep: a
 * guess at how long work takes is a flake on a busy machine.
 */
export async function eventually<T>(check: () => T | null | undefined | false | Promise<T | null | undefined | false>, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
