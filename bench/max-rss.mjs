// Loaded with `node --import` by the benchmarks: prints the process's peak resident memory (KiB)
// and its CPU time in user and kernel mode (µs) on exit.
process.on("exit", () => {
  const u = process.resourceUsage();
  process.stderr.write(`topo-bench-usage ${u.maxRSS} ${u.userCPUTime} ${u.systemCPUTime}\n`);
});
