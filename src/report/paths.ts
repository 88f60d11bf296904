import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { ScanResult } from '../core/result.js';

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

/**
 * The same scan with every path re-expressed relative to `toRoot` (for example the repository
 * root, so that SARIF uploaded from a subfolder scan resolves on GitHub). Paths that are empty
 * (a diagnostic tied to no file) stay empty.
 */
export function rebaseResult(result: ScanResult, toRoot: string): ScanResult {
  if (resolve(toRoot) === resolve(result.root)) return result;
  const move = (path: string): string => (path === '' ? path : toPosix(relative(toRoot, resolve(result.root, path))) || '.');
  return {
    ...result,
    root: toRoot,
    projects: result.projects.map((project) => ({
      ...project,
      root: move(project.root),
      schemaSources: project.schemaSources.map((source) => ({ ...source, files: source.files.map(move) })),
      configFile: project.configFile === null ? null : move(project.configFile),
      ...(project.tableDetails
        ? {
            tableDetails: project.tableDetails.map((table) => ({
              ...table,
              ...(table.location ? { location: { ...table.location, file: move(table.location.file) } } : {}),
              tenantKeys: table.tenantKeys.map((key) => (key.location ? { ...key, location: { ...key.location, file: move(key.location.file) } } : key)),
            })),
          }
        : {}),
    })),
    ...(result.suppressions ? { suppressions: result.suppressions.map((entry) => ({ ...entry, file: move(entry.file) })) } : {}),
    findings: result.findings.map((finding) => ({ ...finding, file: move(finding.file) })),
    diagnostics: result.diagnostics.map((diagnostic) => ({ ...diagnostic, file: move(diagnostic.file) })),
    unknown: result.unknown.map((site) => ({ ...site, file: move(site.file) })),
    coverage: {
      ...result.coverage,
      projects: result.coverage.projects.map((project) => ({ ...project, root: move(project.root) })),
      topFiles: result.coverage.topFiles.map((entry) => ({ ...entry, file: move(entry.file) })),
      notTracedSites: result.coverage.notTracedSites.map((site) => ({ ...site, file: move(site.file) })),
    },
  };
}

/** `dir` relative to `base` in POSIX form, '.' when they are the same. */
export function relativeDir(base: string, dir: string): string {
  return toPosix(relative(base, dir)) || '.';
}

/**
 * How the text report prints a path relative to `root` so that a terminal opened in `cwd` can
 * click it: relative to `cwd` when the file is below it, absolute otherwise.
 */
export function displayFrom(cwd: string, root: string): (file: string) => string {
  return (file) => {
    if (file === '') return file;
    const absolute = resolve(root, file);
    const fromCwd = relative(cwd, absolute);
    if (fromCwd === '' || fromCwd.startsWith('..') || isAbsolute(fromCwd)) return absolute;
    return toPosix(fromCwd);
  };
}
