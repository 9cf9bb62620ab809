/**
 * The key a package name is looked up by in an ecosystem's OSV records. PyPI names are compared
 * PEP 503-normalised (`Foo_Bar` and `foo.bar` are one project); other ecosystems compare names
 * exactly as written.
 */
export function packageKey(ecosystem: string, name: string): string {
  return ecosystem === 'PyPI' ? name.toLowerCase().replace(/[-_.]+/g, '-') : name;
}
