// Preloaded into every measured child (`node --import`): at exit, writes the process's resource
// usage (peak RSS in KiB, CPU times) to $BENCH_STATS, so the runner gets peak RSS for any command.
import { writeFileSync } from 'node:fs';

const out = process.env.BENCH_STATS;
if (out) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(out, JSON.stringify({ maxRSS: usage.maxRSS, user: usage.userCPUTime, system: usage.systemCPUTime }));
  });
}
