import { apkOrdering } from './apk.js';
import { dpkgOrdering } from './dpkg.js';
import { goOrdering } from './go.js';
import { mavenOrdering } from './maven.js';
import type { VersionOrdering } from './ordering.js';
import { pep440Ordering } from './pep440.js';
import { rpmOrdering } from './rpm.js';
import { rubyGemsOrdering } from './rubygems.js';
import { semverOrdering } from './semver.js';

/** OSV ecosystem names (the part before any `:release` or `:repository` suffix) and their version orders. */
const ORDERINGS = new Map<string, VersionOrdering>([
  ['Debian', dpkgOrdering],
  ['Ubuntu', dpkgOrdering],
  ['Alpine', apkOrdering],
  ['Red Hat', rpmOrdering],
  ['Rocky Linux', rpmOrdering],
  ['AlmaLinux', rpmOrdering],
  ['openSUSE', rpmOrdering],
  ['SUSE', rpmOrdering],
  ['PyPI', pep440Ordering],
  ['npm', semverOrdering],
  ['Go', goOrdering],
  ['Maven', mavenOrdering],
  ['RubyGems', rubyGemsOrdering],
]);

/** The version order of an OSV ecosystem such as "Debian:12" or "Alpine:v3.19"; undefined for one Berth cannot order. */
export function versionOrderingFor(ecosystem: string): VersionOrdering | undefined {
  const colon = ecosystem.indexOf(':');
  return ORDERINGS.get(colon < 0 ? ecosystem : ecosystem.slice(0, colon));
}
