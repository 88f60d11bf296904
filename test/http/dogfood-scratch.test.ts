import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { it } from 'vitest';
import { scan } from '../../src/scan/scan.js';

it('dogfood', async () => {
  const session = new Session();
  if (process.env.PROFILE) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const t = performance.now();
  const result = await scan({ path: process.env.DOG ?? '.' });
  console.log(`files ${result.stats.filesScanned} in ${((performance.now() - t) / 1000).toFixed(1)}s`);
  if (process.env.PROFILE) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(process.env.PROFILE, JSON.stringify(profile));
  }
  for (const f of result.findings.filter((x) => x.ruleId === 'no-client-tenant-id')) console.log(`F ${f.file}:${f.line}:${f.column} ${f.messageId} | ${f.message}`);
  const unknown = result.unknown.filter((u) => u.ruleId === 'no-client-tenant-id');
  console.log(`unknown ${unknown.length}`);
  for (const u of unknown.slice(0, 40)) console.log(`U ${u.file}:${u.line} ${u.reason}`);
}, 600_000);
