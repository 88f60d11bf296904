/**
 * The coverage promise: every scan states how much of the data access it saw it analysed, per
 * project and overall, with a verdict (COMPLETE / PARTIAL / NONE), the most frequent reasons a
 * call was not traced and the files that hold most of them. A project that uses a data layer but
 * has no schema or no tenant root is NONE, with the one setting that would fix it.
 */
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { FileCoverage } from '../analyze/analyze.js';
import type { CoverageCounts, CoverageReport, CoverageVerdict, ProjectCoverage } from '../core/result.js';
import type { Project } from '../project/project.js';

export interface CoverageTally {
  analysed: number;
  scoped: number;
  unscoped: number;
  notAnalysable: number;
  schemaMatched: number;
  notTraced: number;
}

export function newTally(): CoverageTally {
  return { analysed: 0, scoped: 0, unscoped: 0, notAnalysable: 0, schemaMatched: 0, notTraced: 0 };
}

export function addCoverage(tally: CoverageTally, file: FileCoverage): void {
  tally.scoped += file.scoped;
  tally.unscoped += file.unscoped;
  tally.notAnalysable += file.notAnalysable;
  tally.schemaMatched += file.schemaMatched;
  tally.analysed += file.scoped + file.unscoped + file.notAnalysable;
  tally.notTraced += file.notTraced.length;
}

function counts(tally: CoverageTally): CoverageCounts {
  const seen = tally.analysed + tally.notTraced;
  return { seen, ...tally, percent: seen === 0 ? 100 : Math.floor((1000 * tally.analysed) / seen) / 10 };
}

function verdictOf(c: CoverageCounts): CoverageVerdict {
  if (c.analysed === 0) return 'NONE';
  return c.notTraced === 0 && c.notAnalysable === 0 ? 'COMPLETE' : 'PARTIAL';
}

/** What a project that uses a data layer lacks for the analysis to start, as one line naming the setting. */
export function missingSetup(project: Project): string | undefined {
  const orms = [...project.orms];
  if (orms.length === 0 && project.schema.tables.size === 0) return undefined;
  if (project.schema.tables.size === 0) {
    return `imports ${orms.join(', ')} but no schema was found: set \`schema\` (a schema.prisma or a folder of them) or \`migrations\` (a folder of SQL migrations) in tenant-lint.config.json`;
  }
  if (!project.schema.root) return `no tenant root could be inferred (${project.schema.rootReason}): set \`tenantRoot\` (and \`tenantKeys\` if the key columns are not foreign keys) in tenant-lint.config.json`;
  return undefined;
}

const normalise = (reason: string) => reason.replace(/`[^`]*`/g, '`…`').replace(/ \(line \d+\)/g, '');

export function coverageReport(
  projects: Map<string, Project>,
  census: Map<string, CoverageTally>,
  notTracedSites: CoverageReport['notTracedSites'],
  rel: (path: string) => string,
): CoverageReport {
  const total = newTally();
  const perProject: ProjectCoverage[] = [];
  for (const project of projects.values()) {
    if (project.schemaFrom) continue; // counted with the workspace whose schema it uses
    const tally = census.get(project.root) ?? newTally();
    for (const key of Object.keys(total) as (keyof CoverageTally)[]) total[key] += tally[key];
    const c = counts(tally);
    const problem = missingSetup(project);
    // A package that imports an ORM only for its types, with no schema and no query seen, is not a problem worth failing over.
    if (!problem && c.seen === 0) continue;
    if (problem && c.seen === 0 && project.schema.tables.size === 0 && project.orms.size === 0) continue;
    perProject.push({ root: rel(project.root), ...c, verdict: problem ? 'NONE' : verdictOf(c), ...(problem ? { problem } : {}) });
  }
  const overall = counts(total);
  const reasons = new Map<string, number>();
  const files = new Map<string, number>();
  for (const site of notTracedSites) {
    const key = normalise(site.reason);
    reasons.set(key, (reasons.get(key) ?? 0) + 1);
    files.set(site.file, (files.get(site.file) ?? 0) + 1);
  }
  const top = <K>(map: Map<K, number>) => [...map].sort((a, b) => b[1] - a[1] || String(a[0]).localeCompare(String(b[0]))).slice(0, 5);
  // Fail closed when a project that shows data access (or the scanned root itself) cannot be analysed
  // for want of a schema or a tenant root, or when data access exists and none of it was analysed.
  const nothingAnalysed = total.analysed === 0;
  // A workspace root that imports an ORM only through its packages (which have the schema) is not a problem once they were analysed.
  if (!nothingAnalysed) perProject.splice(0, perProject.length, ...perProject.filter((p) => p.seen > 0));
  const blocked = perProject.find((p) => p.verdict === 'NONE' && p.problem && (p.seen > 0 || nothingAnalysed));
  // A folder of a monorepo whose queries live in a workspace package it imports (`scan apps/web`,
  // the repositories in `packages/db`): nothing here to analyse, and saying "no findings" would pass it.
  const borrower = overall.seen === 0 ? [...projects.values()].find((p) => p.schemaFrom !== undefined && rel(p.schemaFrom).startsWith('..')) : undefined;
  const elsewhere = borrower && databaseFolder(borrower);
  const failClosed = blocked
    ? `${blocked.root === '.' ? 'the scanned project' : blocked.root} ${blocked.problem}`
    : perProject.length > 0 && overall.analysed === 0
      ? `no data access was analysed (${overall.notTraced} call(s) seen, none traced to a client): see the reasons above, or set \`schema\` and \`tenantRoot\``
      : elsewhere !== undefined
        ? `no data access in the scanned folder: it uses the database package ${rel(elsewhere)} (where its schema is), outside it; scan the folder that holds both (the workspace root) to analyse its queries`
        : undefined;
  return {
    ...overall,
    verdict: failClosed || overall.analysed === 0 ? 'NONE' : verdictOf(overall),
    ...(failClosed ? { failClosed } : {}),
    projects: perProject.sort((a, b) => a.root.localeCompare(b.root)),
    topReasons: top(reasons).map(([reason, count]) => ({ reason, count })),
    topFiles: top(files).map(([file, notTraced]) => ({ file, notTraced })),
    notTracedSites: notTracedSites.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line),
  };
}

/** The folder that holds every schema file of a project (a workspace's `packages/db`). */
function databaseFolder(project: Project): string {
  const files = project.schema.sources.flatMap((source) => source.files.map((file) => resolve(project.schemaFrom ?? project.root, file)));
  let common = files[0] ? dirname(files[0]) : (project.schemaFrom ?? project.root);
  for (const file of files) while (relative(common, file).startsWith('..')) common = dirname(common);
  // `packages/db/migrations/*.sql` names the package, not its migrations folder.
  for (let dir = common; dir !== dirname(dir); dir = dirname(dir)) if (existsSync(join(dir, 'package.json'))) return dir;
  return common;
}
