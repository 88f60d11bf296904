/**
 * Tests, e2e specs, fixtures, mocks and seed scripts query across tenants on purpose (set-up and
 * teardown), and create tables of their own. Both faces skip them by default, so editor and CI agree
 * (`includeTests` turns them on), and the schema is not read from them while other sources exist.
 */
const TEST_FILE = /(^|\/)(__tests__|__mocks__|tests?|e2e|e2e[-_]tests?|cypress|playwright|fixtures|mocks?)\/|\.(test|spec|e2e|stories)\.[cm]?[jt]sx?$|(^|\/)(prisma\/)?seeds?(\.[cm]?[jt]s|\/)/;

/** `projectFile`: a path relative to the project root, with `/` separators. */
export function isTestFile(projectFile: string): boolean {
  return TEST_FILE.test(projectFile);
}
