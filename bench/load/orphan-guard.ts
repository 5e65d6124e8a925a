/**
 * Imported first into every process the benchmark starts (`node --import tsx --import …/orphan-guard.ts`):
 * when the benchmark that started it is gone (killed, crashed), the process ends too, so nothing
 * outlives a run. SIGTERM first — the product shuts down gracefully and writes its CPU profile —
 * then, if it is still there 15 s later, a hard exit.
 */
const parentPid = process.ppid;

const watch = setInterval(() => {
  if (process.ppid === parentPid) return;
  clearInterval(watch);
  setTimeout(() => process.exit(1), 15_000).unref();
  process.kill(process.pid, "SIGTERM");
}, 1_000);
watch.unref();
