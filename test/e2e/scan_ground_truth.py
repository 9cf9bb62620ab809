#!/usr/bin/env python3
"""The vulnerabilities an image has, computed without any of Berth's code, for test/e2e/scanning.test.ts.

Reads the image's flattened filesystem (a `docker export` tar) and real OSV archives (osv.dev's
<ecosystem>/all.zip), and prints JSON: {"packages": {...counts}, "findings": [[id, package, version], ...]}.

Inventory: the dpkg status database (installed packages by source package and source version, the
way Debian's OSV records are keyed), Python distributions (*.dist-info/METADATA, *.egg-info/PKG-INFO,
*.egg-info files) and npm packages (node_modules/<name>/package.json, node_modules/@scope/<name>/package.json).

Affected-ness is OSV's: the entry's `versions` list holds the version, or one of its ECOSYSTEM or
SEMVER ranges includes it. Debian versions are compared by `dpkg --compare-versions`, PyPI versions
by the `packaging` module (PEP 440), SEMVER ranges by the small Semantic Versioning comparison below.
A range event whose version the comparison cannot read is ignored.

Findings are merged the way Berth documents it (src/domain/scanning/osv/match.ts), per package:
  1. records that share an id or an alias, directly or through others, are one vulnerability;
  2. a vulnerability made only of Debian advisories (DSA-, DLA-, DTSA-) whose `related` ids name a
     record (or an alias of one) of another, non-advisory vulnerability of the same package is
     folded into that one and not reported by itself;
  3. a vulnerability is reported under its smallest CVE record id, else its smallest CVE alias,
     else its smallest record id (ids compared as plain strings).
"""
import argparse
import email.parser
import functools
import json
import posixpath
import re
import subprocess
import sys
import tarfile
import zipfile

from packaging.version import InvalidVersion, Version

EARLIEST = object()


# --- version comparisons ---------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def dpkg_valid(version):
    return subprocess.run(['dpkg', '--validate-version', version], capture_output=True).returncode == 0


@functools.lru_cache(maxsize=None)
def dpkg_compare(a, b):
    if subprocess.run(['dpkg', '--compare-versions', a, 'lt', b]).returncode == 0:
        return -1
    return 0 if subprocess.run(['dpkg', '--compare-versions', a, 'eq', b]).returncode == 0 else 1


def pep440_valid(version):
    try:
        Version(version)
        return True
    except InvalidVersion:
        return False


def pep440_compare(a, b):
    va, vb = Version(a), Version(b)
    return -1 if va < vb else (1 if va > vb else 0)


SEMVER = re.compile(r'^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$')


def semver_valid(version):
    return SEMVER.match(version) is not None


def semver_key(version):
    """Semantic Versioning 2.0 precedence as a sort key: a release sorts after its pre-releases."""
    major, minor, patch, pre = SEMVER.match(version).groups()
    if pre is None:
        return (int(major), int(minor), int(patch), 1, ())
    # Numeric identifiers sort before alphanumeric ones, and numerically among themselves.
    ids = tuple((0, int(part), '') if part.isdigit() else (1, 0, part) for part in pre.split('.'))
    return (int(major), int(minor), int(patch), 0, ids)


def semver_compare(a, b):
    ka, kb = semver_key(a), semver_key(b)
    return -1 if ka < kb else (1 if ka > kb else 0)


ORDERINGS = {
    'dpkg': (dpkg_valid, dpkg_compare),
    'pep440': (pep440_valid, pep440_compare),
    'semver': (semver_valid, semver_compare),
}


def bound_compare(compare, a, b):
    if a is b:
        return 0
    if a is EARLIEST:
        return -1
    if b is EARLIEST:
        return 1
    return compare(a, b)


def range_includes(events, version, ordering):
    """OSV's range evaluation, stated as intervals: some `introduced` I <= version with no `fixed` F
    where I <= F <= version and no `last_affected` L where I <= L < version; below a `limit` if any."""
    valid, compare = ORDERINGS[ordering]
    if not valid(version):
        return False
    cmp = functools.partial(bound_compare, compare)
    introduced, fixed, last_affected, limits = [], [], [], []
    for event in events:
        for kind, bucket in (('introduced', introduced), ('fixed', fixed), ('last_affected', last_affected), ('limit', limits)):
            if kind not in event:
                continue
            value = event[kind]
            if kind == 'introduced' and value == '0':
                bucket.append(EARLIEST)
            elif kind == 'limit' and '*' in value:
                bucket.append(None)
            elif valid(value):
                bucket.append(value)
    if limits and not any(limit is None or cmp(version, limit) < 0 for limit in limits):
        return False
    for start in introduced:
        if cmp(start, version) > 0:
            continue
        closed = any(cmp(start, f) <= 0 and cmp(f, version) <= 0 for f in fixed) or any(
            cmp(start, l) <= 0 and cmp(l, version) < 0 for l in last_affected)
        if not closed:
            return True
    return False


def entry_affects(affected, version, ecosystem_ordering):
    if version in affected.get('versions', []):
        return True
    for rng in affected.get('ranges', []):
        ordering = {'ECOSYSTEM': ecosystem_ordering, 'SEMVER': 'semver'}.get(rng.get('type'))
        if ordering and range_includes(rng.get('events', []), version, ordering):
            return True
    return False


# --- the image's inventory -------------------------------------------------------------------

def image_path(name):
    """A tar member's path without a leading ./ or /."""
    return name[2:] if name.startswith('./') else name.lstrip('/')


def read_member(tar, members, path, hops=0):
    """A file's text, following symbolic links inside the image (etc/os-release -> ../usr/lib/os-release)."""
    member = members.get(path)
    if member is None or hops > 8:
        return None
    if member.issym():
        target = member.linkname
        resolved = target.lstrip('/') if target.startswith('/') else posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
        return read_member(tar, members, resolved, hops + 1)
    if member.islnk():
        return read_member(tar, members, image_path(member.linkname), hops + 1)
    if not member.isfile():
        return None
    return tar.extractfile(member).read().decode('utf-8', 'replace')


def os_release(text):
    fields = {}
    for line in (text or '').splitlines():
        if '=' in line:
            key, value = line.split('=', 1)
            fields[key.strip()] = value.strip().strip('"\'')
    return fields


def dpkg_sources(status):
    """(source package, source version) of every installed binary package."""
    sources = set()
    for paragraph in re.split(r'\n\s*\n', status):
        fields = {}
        for line in paragraph.splitlines():
            if line and not line[0].isspace() and ':' in line:
                key, value = line.split(':', 1)
                fields[key.lower()] = value.strip()
        state = fields.get('status', '').split()
        if len(state) != 3 or state[0] not in ('install', 'hold') or state[1:] != ['ok', 'installed']:
            continue
        source, source_version = fields['package'], fields['version']
        if 'source' in fields:
            match = re.match(r'^(\S+)(?:\s+\((.+)\))?$', fields['source'])
            source = match.group(1)
            source_version = match.group(2) or source_version
        sources.add((source, source_version))
    return sources


def pep503(name):
    return re.sub(r'[-_.]+', '-', name).lower()


def is_python_metadata(path):
    parts = path.split('/')
    name, parent = parts[-1], parts[-2] if len(parts) > 1 else ''
    return (name == 'METADATA' and parent.endswith('.dist-info')) or (name == 'PKG-INFO' and parent.endswith('.egg-info')) or name.endswith('.egg-info')


def is_npm_manifest(path):
    parts = path.split('/')
    if parts[-1] != 'package.json' or len(parts) < 3:
        return False
    return parts[-3] == 'node_modules' or (len(parts) >= 4 and parts[-4] == 'node_modules' and parts[-3].startswith('@'))


def read_inventory(image_tar):
    """{ecosystem: set of (name, version)} of the image's filesystem."""
    with tarfile.open(image_tar) as tar:
        members = {image_path(m.name): m for m in tar.getmembers()}
        release = os_release(read_member(tar, members, 'etc/os-release') or read_member(tar, members, 'usr/lib/os-release'))
        inventory = {}
        if release.get('ID') == 'debian' and release.get('VERSION_ID'):
            status = read_member(tar, members, 'var/lib/dpkg/status') or ''
            inventory['Debian:' + release['VERSION_ID'].split('.')[0]] = dpkg_sources(status)
        inventory['PyPI'], inventory['npm'] = set(), set()
        for path, member in members.items():
            if not member.isfile():
                continue
            if is_python_metadata(path):
                headers = email.parser.HeaderParser().parsestr(tar.extractfile(member).read().decode('utf-8', 'replace'))
                if headers.get('Name') and headers.get('Version'):
                    inventory['PyPI'].add((pep503(headers['Name']), headers['Version'].strip()))
            elif is_npm_manifest(path):
                try:
                    manifest = json.loads(tar.extractfile(member).read())
                except ValueError:
                    continue
                if isinstance(manifest, dict) and isinstance(manifest.get('name'), str) and isinstance(manifest.get('version'), str):
                    inventory['npm'].add((manifest['name'], manifest['version']))
        return inventory


# --- matching and merging --------------------------------------------------------------------

ORDERING_OF = {'PyPI': 'pep440', 'npm': 'semver'}


def osv_records(archives):
    for archive in archives:
        with zipfile.ZipFile(archive) as zf:
            for name in zf.namelist():
                if name.endswith('.json'):
                    yield json.loads(zf.read(name))


def matched_records(inventory, archives):
    """{(ecosystem, package, version): {record id: record}} of the records affecting each installed package."""
    wanted = {}
    for ecosystem, packages in inventory.items():
        for name, version in packages:
            key_name = pep503(name) if ecosystem == 'PyPI' else name
            wanted.setdefault((ecosystem, key_name), []).append(version)
    matches = {}
    for record in osv_records(archives):
        if record.get('withdrawn'):
            continue
        for affected in record.get('affected', []):
            package = affected.get('package') or {}
            ecosystem, name = package.get('ecosystem'), package.get('name')
            if ecosystem is None or name is None:
                continue
            key_name = pep503(name) if ecosystem == 'PyPI' else name
            ordering = 'dpkg' if ecosystem.startswith('Debian:') else ORDERING_OF.get(ecosystem)
            for version in wanted.get((ecosystem, key_name), []):
                if entry_affects(affected, version, ordering):
                    matches.setdefault((ecosystem, key_name, version), {})[record['id']] = record
    return matches


def is_advisory(record_id):
    return re.match(r'^(DSA|DLA|DTSA)-', record_id) is not None


def vulnerabilities(records):
    """The reported ids of one package's matched records, merged by rules 1-3 of the module docstring."""
    groups = []  # each: (set of record ids, set of ids and aliases)
    for record in records.values():
        names = {record['id'], *record.get('aliases', [])}
        joined = [g for g in groups if g[1] & names]
        merged = ({record['id']}, set(names))
        for g in joined:
            merged[0].update(g[0])
            merged[1].update(g[1])
            groups.remove(g)
        groups.append(merged)
    kept = []
    for ids, names in groups:
        if all(is_advisory(i) for i in ids):
            related = {r for i in ids for r in records[i].get('related', [])}
            if any(related & other_names and not all(is_advisory(i) for i in other_ids) for other_ids, other_names in groups):
                continue
        kept.append((ids, names))
    reported = set()
    for ids, names in kept:
        cves = sorted(i for i in ids if i.startswith('CVE-'))
        cve_aliases = sorted(a for i in ids for a in records[i].get('aliases', []) if a.startswith('CVE-'))
        reported.add((cves or cve_aliases or sorted(ids))[0])
    return reported


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--image', required=True, help='the image filesystem as a tar (docker export)')
    parser.add_argument('archives', nargs='+', help='OSV archives (<ecosystem>/all.zip)')
    args = parser.parse_args()
    inventory = read_inventory(args.image)
    findings = sorted(
        [vulnerability, package, version]
        for (_ecosystem, package, version), records in matched_records(inventory, args.archives).items()
        for vulnerability in vulnerabilities(records)
    )
    json.dump({'packages': {ecosystem: len(packages) for ecosystem, packages in inventory.items()}, 'findings': findings}, sys.stdout)


if __name__ == '__main__':
    main()
