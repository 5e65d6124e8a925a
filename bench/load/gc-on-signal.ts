/**
 * Imported into the servers of the live scenarios, which run with --expose-gc: SIGUSR2 runs a full
 * garbage collection, so that VmRSS read before and after K subscribers compares live memory, not
 * whatever garbage the last allocation burst left. Changes nothing else in the process.
 */
const collect = (globalThis as { gc?: () => void }).gc;
if (collect) process.on("SIGUSR2", () => collect());
