#!/usr/bin/env python3
"""No config.json field parsed and then dropped (TAP).

usage: spec_fields.py SRCDIR BUILDDIR [--update-readme]

The fields are the members of every struct of oci/spec.h, read from that file
(no second list). Each member gets __attribute__((deprecated("spec_x.member")))
in a copy of the header, every lib/ and cmd/ file of the build is compiled
against that copy with -fsyntax-only (the flags of build/compile_commands.json),
and the compiler's warnings say where each member is read: type-aware, so a
`->path` of some other struct does not count. A reference that only assigns
the member or frees it is no use. A member that nothing in lib/ or cmd/ reads
fails, naming it, unless ALLOWED says why not (and an ALLOWED entry that is
no longer needed, or names no member, fails too). The answers are kept in
BUILDDIR/spec_fields/: a file is compiled again only when it, or a header
it read, changed.

README.md's table between the "spec-fields" markers lists, per config.json
field, the files that read its members; it is checked here and rewritten by
--update-readme.
"""
import concurrent.futures
import functools
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

# Members that nothing outside oci/ needs to read, each with the reason. The
# test fails when one of them is read after all, or is gone.
ALLOWED = {
    'spec_process.n_args': 'args is NULL-terminated, and read as such',
    'spec_hook.n_env': 'env is NULL-terminated, and read as such',
    'spec_scheduler.flags': 'the names; the parser ORs their values into flags_mask, which is applied',
    'spec_scheduler.n_flags': 'count of flags; see flags',
    'spec_memory_policy.flags': 'the names; the parser ORs their values into flags_mask, which is applied',
    'spec_memory_policy.n_flags': 'count of flags; see flags',
}

# Members read only to say that they are not applied: the README says so,
# and the test checks that a file reading the member has that warning
# (the field's config.json name, then "not applied", in one string).
WARN_ONLY = {
    'spec_linux.mount_label': 'linux.mountLabel',
}

# The config.json object each struct is parsed from, for the README's table.
# Checked: every struct of spec.h has one, and each names an existing struct.
SECTIONS = {
    'spec': '',
    'spec_process': 'process',
    'spec_user': 'process.user',
    'spec_caps': 'process.capabilities',
    'spec_rlimit': 'process.rlimits[]',
    'spec_scheduler': 'process.scheduler',
    'spec_io_priority': 'process.ioPriority',
    'spec_mount': 'mounts[]',
    'spec_idmap': '{linux,mounts[]}.{uid,gid}Mappings[]',	# shared: no rows of its own
    'spec_hooks': 'hooks',
    'spec_hook': 'hooks.*[]',
    'spec_kv': 'annotations, linux.sysctl, linux.resources.unified: {key: value}',
    'spec_linux': 'linux',
    'spec_namespace': 'linux.namespaces[]',
    'spec_time_offset': 'linux.timeOffsets.{monotonic,boottime}',
    'spec_device': 'linux.devices[]',
    'spec_net_device': 'linux.netDevices',
    'spec_resources': 'linux.resources',
    'spec_device_cgroup': 'linux.resources.devices[]',
    'spec_memory': 'linux.resources.memory',
    'spec_cpu': 'linux.resources.cpu',
    'spec_blkio': 'linux.resources.blockIO',
    'spec_weight_device': 'linux.resources.blockIO.weightDevice[]',
    'spec_throttle_device': 'linux.resources.blockIO.throttle*Device[]',
    'spec_hugepage': 'linux.resources.hugepageLimits[]',
    'spec_net_priority': 'linux.resources.network.priorities[]',
    'spec_rdma': 'linux.resources.rdma',
    'spec_seccomp': 'linux.seccomp',
    'spec_seccomp_syscall': 'linux.seccomp.syscalls[]',
    'spec_seccomp_arg': 'linux.seccomp.syscalls[].args[]',
    'spec_intel_rdt': 'linux.intelRdt',
    'spec_memory_policy': 'linux.memoryPolicy',
    'spec_personality': 'linux.personality',
}

# The config.json key of members whose parser call does not name it beside
# the member (read through a local, resolved from another field, or an
# object of its own). Checked: each names a member, and its key is a string
# literal of the parser. n_X and has_X go with X without being listed.
KEYS = {
    'spec.root_path': 'root.path',
    'spec.root_readonly': 'root.readonly',
    'spec.oci_version': 'ociVersion',
    'spec.hooks': 'hooks',
    'spec.linux_': 'linux',
    'spec.process': 'process',
    'spec.annotations': 'annotations',
    'spec.mounts': 'mounts',
    'spec_kv.key': '',		# rows of their own: annotations, linux.sysctl,
    'spec_kv.value': '',	# linux.resources.unified
    'spec_idmap.container_id': '',	# rows of their own: linux.uidMappings ...
    'spec_idmap.host_id': '',
    'spec_idmap.size': '',
    'spec_process.console_height': 'consoleSize.height',
    'spec_process.console_width': 'consoleSize.width',
    'spec_process.has_console_size': 'consoleSize',
    'spec_process.user': 'user',
    'spec_process.capabilities': 'capabilities',
    'spec_process.oom_score_adj': 'oomScoreAdj',
    'spec_process.scheduler': 'scheduler',
    'spec_process.io_priority': 'ioPriority',
    'spec_process.exec_cpu_affinity_initial': 'execCPUAffinity.initial',
    'spec_process.exec_cpus_initial': 'execCPUAffinity.initial',
    'spec_process.exec_cpu_affinity_final': 'execCPUAffinity.final',
    'spec_process.exec_cpus_final': 'execCPUAffinity.final',
    'spec_user.uid': 'uid',
    'spec_user.gid': 'gid',
    'spec_user.additional_gids': 'additionalGids',
    'spec_rlimit.resource': 'type',
    'spec_scheduler.policy_num': 'policy',
    'spec_scheduler.flags_mask': 'flags',
    'spec_io_priority.class_num': 'class',
    'spec_io_priority.priority': 'priority',
    'spec_hook.timeout': 'timeout',
    'spec_namespace.type': 'type',
    'spec_namespace.clone_flag': 'type',
    'spec_device.type': 'type',
    'spec_net_device.host_name': '<host name>',
    'spec_rdma.device': '<device>',
    'spec_rdma.hca_handles': '<device>.hcaHandles',
    'spec_rdma.hca_objects': '<device>.hcaObjects',
    'spec_net_device.name': '<host name>.name',
    'spec_resources.pids_limit': 'pids.limit',
    'spec_resources.net_class_id': 'network.classID',
    'spec_resources.net_priorities': 'network.priorities',
    'spec_hooks.prestart': 'prestart',
    'spec_hooks.create_runtime': 'createRuntime',
    'spec_hooks.create_container': 'createContainer',
    'spec_hooks.start_container': 'startContainer',
    'spec_hooks.poststart': 'poststart',
    'spec_hooks.poststop': 'poststop',
    'spec_blkio.throttle_read_bps': 'throttleReadBpsDevice',
    'spec_blkio.throttle_write_bps': 'throttleWriteBpsDevice',
    'spec_blkio.throttle_read_iops': 'throttleReadIOPSDevice',
    'spec_blkio.throttle_write_iops': 'throttleWriteIOPSDevice',
    'spec_seccomp.default_action': 'defaultAction',
    'spec_seccomp.default_errno_ret': 'defaultErrnoRet',
    'spec_seccomp_syscall.action': 'action',
    'spec_seccomp_syscall.errno_ret': 'errnoRet',
    'spec_seccomp_arg.index': 'index',
    'spec_seccomp_arg.op_num': 'op',
    'spec_linux.time_monotonic': 'timeOffsets.monotonic',
    'spec_linux.time_boottime': 'timeOffsets.boottime',
    'spec_linux.rootfs_propagation_flags': 'rootfsPropagation',
    'spec_linux.resources': 'resources',
    'spec_linux.seccomp': 'seccomp',
    'spec_linux.intel_rdt': 'intelRdt',
    'spec_linux.memory_policy': 'memoryPolicy',
    'spec_linux.personality': 'personality',
    'spec_time_offset.set': '',
    'spec_time_offset.nanosecs': 'nanosecs',
    'spec_memory_policy.mode_num': 'mode',
    'spec_memory_policy.node_set': 'nodes',
    'spec_memory_policy.flags_mask': 'flags',
    'spec_personality.persona': 'domain',
}

MARK_BEGIN = '<!-- spec-fields: begin (tests/spec_fields.py --update-readme writes this table) -->'
MARK_END = '<!-- spec-fields: end -->'


def strip_comments(text):
    """C comments blanked out, line structure kept."""
    def blank(m):
        return re.sub(r'[^\n]', ' ', m.group(0))
    return re.sub(r'/\*.*?\*/|//[^\n]*', blank, text, flags=re.S)


def parse_header(text):
    """[(struct, member)] in declaration order, and the header with each
    member marked deprecated."""
    clean = strip_comments(text)
    members = []
    types = {}
    out = []
    pos = 0
    for m in re.finditer(r'^struct (spec\w*) \{(.*?)^\};', clean, flags=re.S | re.M):
        sname, body = m.group(1), m.group(2)
        new_body = []
        for stmt in body.split(';'):
            if not stmt.strip():
                new_body.append(stmt)
                continue
            sm = re.match(r'(\s*(?:(?:const|unsigned|signed|struct|enum)\s+)*(?:\w+\s+(?=[\w*]))?)(.*)$', stmt, flags=re.S)
            if not sm:
                raise SystemExit('spec.h: cannot read member "%s" of struct %s' % (stmt.strip(), sname))
            decls = []
            for d in sm.group(2).split(','):
                dm = re.match(r'(\s*\**\s*)(\w+)(\s*(?:\[\w*\])?\s*)$', d)
                if not dm:
                    raise SystemExit('spec.h: cannot read declarator "%s" of struct %s' % (d.strip(), sname))
                name = dm.group(2)
                members.append((sname, name))
                types[(sname, name)] = sm.group(1).strip() + ' ' + dm.group(1).strip()
                decls.append('%s%s __attribute__((deprecated("%s.%s")))%s' %
                             (dm.group(1), name, sname, name, dm.group(3)))
            new_body.append(sm.group(1) + ','.join(decls))
        out.append(text[pos:m.start(2)])
        out.append(';'.join(new_body))
        pos = m.end(2)
    out.append(text[pos:])
    return members, types, ''.join(out)


def compile_commands(builddir):
    try:
        with open(os.path.join(builddir, 'compile_commands.json')) as f:
            entries = json.load(f)
    except (OSError, ValueError) as e:
        print('Bail out! %s/compile_commands.json (meson writes it for ninja): %s' % (builddir, e))
        sys.exit(1)
    seen = {}
    for e in entries:
        path = os.path.normpath(os.path.join(e['directory'], e['file']))
        seen.setdefault(path, e)
    return seen


def syntax_command(entry, shadow):
    args = shlex.split(entry['command']) if 'command' in entry else list(entry['arguments'])
    keep = []
    skip = False
    for a in args[1:]:
        if skip:
            skip = False
            continue
        if a in ('-o', '-MQ', '-MF', '-MT'):
            skip = True
            continue
        if a in ('-c', '-MD', '-MMD', '-Winvalid-pch') or a.startswith('-Werror') or \
                a.startswith('-fdiagnostics-color') or a.startswith('-fsanitize') or a.startswith('-flto'):
            continue
        keep.append(a)
    # Both builds of the optional parts: netdev.c and trampoline.c need no
    # library header for it, so the result is the same without libmnl.
    return [args[0], '-I' + shadow, '-fsyntax-only', '-fdiagnostics-color=never', '-Wno-error',
            '-Wdeprecated-declarations', '-DOCIRT_HAVE_NETDEV', '-DOCIRT_HAVE_TRAMPOLINE'] + keep


def stamp(path):
    try:
        st = os.stat(path)
        return [st.st_mtime_ns, st.st_size]
    except OSError:
        return None


def syntax_only(entry, shadow, cache):
    """The compiler's output for entry against the marked header; reused from
    cache while the command and every file it read are unchanged."""
    cmd = syntax_command(entry, shadow)
    old = cache.get(entry['file_abs'])
    if old and old['cmd'] == cmd and all(stamp(d) == st for d, st in old['deps'].items()):
        return 0, old['out'], cmd, old, False
    fd, depfile = tempfile.mkstemp(prefix='spec_fields.', suffix='.d')
    os.close(fd)
    r = subprocess.run(cmd + ['-MD', '-MF', depfile], cwd=entry['directory'], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, universal_newlines=True, errors='replace',
                       env=dict(os.environ, LC_ALL='C'))
    try:
        with open(depfile) as f:
            deps = f.read().replace('\\\n', ' ').split(':', 1)[-1].split()
    finally:
        os.unlink(depfile)
    deps = [os.path.normpath(os.path.join(entry['directory'], d)) for d in deps]
    new = {'cmd': cmd, 'deps': {d: stamp(d) for d in deps}, 'out': r.stdout}
    return r.returncode, r.stdout, cmd, (new if r.returncode == 0 and deps else None), True


WARN = re.compile(r"^(.*?):(\d+):(\d+): warning: .(\w+). is deprecated: (spec\w*)\.(\w+)", re.M)


def enclosing_call(text, pos):
    """The name of the function whose argument list holds text[pos], or ''."""
    depth = 0
    for i in range(pos - 1, -1, -1):
        c = text[i]
        if c in ')]':
            depth += 1
        elif c in '([':
            if depth == 0:
                if c == '[':
                    return ''
                m = re.search(r'(\w+)\s*$', text[:i])
                return m.group(1) if m else ''
            depth -= 1
        elif c in ';{}' and depth == 0:
            return ''
    return ''


@functools.lru_cache(maxsize=None)
def access_pattern(member):
    """x->member or x.member (not a designator: .member = in an initializer)."""
    return re.compile(r'(?<=[\w)\]])\s*(?:->|\.)\s*' + member + r'\b')


def classify(lines, line, member):
    """'read', or 'write' when every reference of member on the line the
    compiler names (or, when it names the start of a longer statement, the
    first one after it) only assigns it (member = ...) or hands it to a
    freeing function (free, strv_free_n, ...)."""
    pat = access_pattern(member)
    here = lines[line - 1]
    found = list(pat.finditer(here))
    if found:
        text = '\n'.join(lines[line - 1:line + 30])
    else:
        text = '\n'.join(lines[line - 1:line + 30])
        m = pat.search(text)
        if not m:
            return 'read'
        found = [m]
    for m in found:
        if re.match(r'\s*=(?!=)', text[m.end():]):
            continue
        if 'free' in enclosing_call(text, m.start()):
            continue
        return 'read'
    return 'write'


def main():
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    update = '--update-readme' in sys.argv
    if len(args) != 2:
        sys.exit(__doc__)
    src, build = (os.path.realpath(a) for a in args)
    with open(os.path.join(src, 'oci', 'spec.h')) as f:
        header = f.read()
    members, types, shadow_text = parse_header(header)
    structs = sorted({s for s, _ in members})

    entries = compile_commands(build)
    files = {}
    for p, e in entries.items():
        if os.path.relpath(p, src).split(os.sep)[0] in ('lib', 'cmd') and p.endswith('.c'):
            files[p] = dict(e, file_abs=p)

    # The marked header and the compiler's answers live in the build tree:
    # a file is compiled again only when it or a header it reads changed.
    work = os.path.join(build, 'spec_fields')
    shadow_h = os.path.join(work, 'oci', 'spec.h')
    os.makedirs(os.path.dirname(shadow_h), exist_ok=True)
    try:
        with open(shadow_h) as f:
            same = f.read() == shadow_text
    except OSError:
        same = False
    if not same:
        with open(shadow_h + '.tmp', 'w') as f:
            f.write(shadow_text)
        os.rename(shadow_h + '.tmp', shadow_h)
    cache_path = os.path.join(work, 'cache.json')
    try:
        with open(cache_path) as f:
            cache = json.load(f)
    except (OSError, ValueError):
        cache = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as ex:
        results = list(ex.map(lambda e: (e, syntax_only(e, work, cache)), files.values()))
    compiled = sum(1 for e, res in results if res[4])
    fresh = {e['file_abs']: res[3] for e, res in results if res[3]}
    if compiled or fresh.keys() != cache.keys():
        with open(cache_path + '.tmp', 'w') as f:
            json.dump(fresh, f)
        os.rename(cache_path + '.tmp', cache_path)

    n = 0
    failed = False

    def tap(ok, what, diag=None):
        nonlocal n, failed
        n += 1
        failed |= not ok
        print('%s %d - %s' % ('ok' if ok else 'not ok', n, what))
        for line in (diag or '').splitlines():
            print('# ' + line)

    for entry, (rc, out, cmd, _, _) in results:
        if rc != 0:
            tap(False, 'compile %s against the marked spec.h' % entry['file'],
                ' '.join(cmd) + '\n' + out[-4000:])
    if failed:
        print('1..%d' % n)
        return 1

    uses = {m: set() for m in members}	# (struct, member) -> files reading it
    refs = {m: set() for m in members}	# any reference at all
    sources = {}
    seen = set()
    for entry, (rc, out, cmd, _, _) in results:
        for w in WARN.finditer(out):
            path = os.path.normpath(os.path.join(entry['directory'], w.group(1)))
            rel = os.path.relpath(path, src)
            key = (rel, int(w.group(2)), int(w.group(3)), w.group(5), w.group(6))
            if key in seen or rel.split(os.sep)[0] not in ('lib', 'cmd'):
                continue
            seen.add(key)
            mem = (w.group(5), w.group(6))
            if mem not in uses:
                continue
            if rel not in sources:
                with open(path) as f:
                    sources[rel] = f.read().split('\n')
            refs[mem].add(rel)
            if classify(sources[rel], key[1], mem[1]) == 'read':
                uses[mem].add(rel)

    tap(len(members) > 100 and len(files) > 30,
        'spec.h: %d members of %d structs; %d files of lib/ and cmd/ read against it (%d compiled now)' %
        (len(members), len(structs), len(files), compiled))

    names = {'%s.%s' % m for m in members}
    for m in members:
        full = '%s.%s' % m
        if full in ALLOWED:
            continue
        where = sorted(uses[m])
        if where:
            tap(True, '%s read in %s' % (full, ', '.join(where)))
        else:
            tap(False, '%s: parsed, and read nowhere in lib/ or cmd/' % full,
                'apply it, refuse it with an error naming the field, or list it in ALLOWED with why' +
                ('\nonly assigned or freed in: ' + ', '.join(sorted(refs[m])) if refs[m] else ''))
    for full, why in sorted(ALLOWED.items()):
        s, _, mem = full.partition('.')
        if full not in names:
            tap(False, 'ALLOWED names %s, which spec.h no longer has' % full)
        elif uses[(s, mem)]:
            tap(False, 'ALLOWED entry %s no longer needed: read in %s' % (full, ', '.join(sorted(uses[(s, mem)]))))
        else:
            tap(True, '%s read nowhere outside oci/, allowed: %s' % (full, why))

    # The README's table.
    oci_literals = set()
    for fn in sorted(os.listdir(os.path.join(src, 'oci'))):
        if fn.endswith('.c'):
            with open(os.path.join(src, 'oci', fn)) as f:
                oci_literals |= set(re.findall(r'"(\w+)"', f.read()))
    parser_keys = parser_key_map(src)
    bad = [s for s in structs if s not in SECTIONS] + \
        ['SECTIONS names %s, no struct of spec.h' % s for s in SECTIONS if s not in structs]
    tap(not bad, 'every struct of spec.h has its config.json section', '\n'.join(bad))
    bad = []
    for full, k in sorted(KEYS.items()):
        if full not in names:
            bad.append('KEYS names %s, which spec.h does not have' % full)
        for part in re.findall(r'\w+', re.sub(r'<[^>]*>', '', k)):
            if part not in oci_literals:
                bad.append('KEYS: %s: "%s" is no key the parser reads' % (full, part))
    rows = {}
    warned = set()
    for (s, mem) in members:
        full = '%s.%s' % (s, mem)
        base = re.sub(r'^(n|has)_', '', mem)
        key = KEYS.get(full) if full in KEYS else KEYS.get('%s.%s' % (s, base), parser_keys.get((s, base)))
        if key is None:
            key = parser_keys.get((s, mem))
        if key is None:
            bad.append('%s: no config.json key found beside it in oci/ (add it to KEYS)' % full)
            continue
        if key == '':
            continue	# bookkeeping, or rows of its own elsewhere
        # An object with a section of its own has rows for its members.
        tm = re.match(r'struct (spec\w*)', types[(s, mem)])
        if tm and not re.search(r'[*,{]', SECTIONS.get(tm.group(1), '*')):
            continue
        # A member that is a parsed object of its own has its row there.
        target = rows.setdefault((s, key), set())
        target |= uses[(s, mem)]
        if full in WARN_ONLY:
            warned.add((s, key))
    tap(not bad, 'every member of spec.h maps to a config.json key', '\n'.join(bad))

    for full, jname in sorted(WARN_ONLY.items()):
        s, _, mem = full.partition('.')
        found = [f for f in sorted(uses.get((s, mem), ())) if
                 re.search(r'"[^\n]*' + re.escape(jname) + r'[^\n]*not applied', '\n'.join(sources[f]))]
        bad_w = full not in names or not found
        tap(not bad_w, 'WARN_ONLY %s: %s' % (full, 'warned in ' + ', '.join(found) if found else
                                               'no warning "%s ... not applied" where it is read' % jname))

    table = render(rows, warned)
    # Optional parts this build leaves out (lib/criu without libcriu: its
    # code under OCIRT_HAVE_CRIU, which this build does not define): the
    # README, written from a build with all of them, is compared without
    # their names.
    absent = set()
    for top in ('lib', 'cmd'):
        for d, _, fns in os.walk(os.path.join(src, top)):
            for fn in fns:
                p = os.path.join(d, fn)
                if not fn.endswith('.c'):
                    continue
                with open(p, errors='replace') as f:
                    text = f.read()
                if p in files:
                    defined = set(re.findall(r'-D(OCIRT_HAVE_\w+)', ' '.join(syntax_command(files[p], work))))
                    left_out = set(re.findall(r'^#\s*if(?:n?def)?\b.*?\b(OCIRT_HAVE_\w+)', text, re.M)) - defined
                else:
                    left_out = bool(re.search(r'struct spec\w*\b|->spec\b', text))
                if left_out:
                    absent.add(os.path.relpath(p, src).replace('lib/', '', 1))
    readme_path = os.path.join(src, 'README.md')
    with open(readme_path) as f:
        readme = f.read()
    b, e = readme.find(MARK_BEGIN), readme.find(MARK_END)
    if update:
        if absent:
            sys.exit('--update-readme: this build leaves out %s; use one with every optional part'
                     % ', '.join(sorted(absent)))
        if b < 0 or e < b:
            sys.exit('README.md: no %s ... %s markers' % (MARK_BEGIN, MARK_END))
        readme = readme[:b + len(MARK_BEGIN)] + '\n' + table + readme[e:]
        with open(readme_path, 'w') as f:
            f.write(readme)
        print('# README.md table rewritten')
    else:
        current = readme[b + len(MARK_BEGIN) + 1:e] if b >= 0 and e > b else None
        if current is not None and absent:
            current = without_files(current, absent)
        if current == table:
            tap(True, 'README.md table of the fields matches what lib/ and cmd/ read')
        else:
            import difflib
            diff = '' if current is None else ''.join(difflib.unified_diff(
                current.splitlines(True), table.splitlines(True), 'README.md', 'computed'))
            tap(False, 'README.md table of the fields is stale: run tests/spec_fields.py %s %s --update-readme'
                % (src, build), diff or 'markers missing')
    print('1..%d' % n)
    return 1 if failed else 0


def parser_key_map(src):
    """(struct, member) -> config.json key, where a parser call names both:
    jp_str(p, o, "cwd", JP_REQ, &pr->cwd). The struct comes from the local's
    declaration in the same function (struct spec_x *pr = ...)."""
    keys = {}
    for fn in sorted(os.listdir(os.path.join(src, 'oci'))):
        if not fn.endswith('.c'):
            continue
        with open(os.path.join(src, 'oci', fn)) as f:
            text = strip_comments(f.read())
        for func in re.finditer(r'^\w[^;{]*\)\n\{(.*?)^\}', text, flags=re.S | re.M):
            body = func.group(1)
            var_type = {}
            for d in re.finditer(r'struct (spec\w*) (\*[^;{]*?)(?:;|\)\n\{|,\s*(?:struct|const|json_t|void|int|size_t))',
                                 func.group(0)):
                decl = d.group(2)
                while re.search(r'\([^()]*\)', decl):
                    decl = re.sub(r'\([^()]*\)', '', decl)
                for part in decl.split(','):
                    pm = re.match(r'\s*\*+\s*(\w+)', part)
                    if pm:
                        var_type[pm.group(1)] = d.group(1)
            for c in re.finditer(r'jp_\w+\(p, \w+, "(\w+)"((?:[^()]|\([^()]*\))*)\)', body):
                m = re.search(r'&\s*(\w+)->(\w+)', c.group(2))
                if m and m.group(1) in var_type:
                    keys.setdefault((var_type[m.group(1)], m.group(2)), c.group(1))
    return keys


def without_files(table, absent):
    """table with the files of absent taken out of its "read in" cells."""
    out = []
    for line in table.splitlines(True):
        m = re.match(r'(\| `[^`]*` \| )(.*)( \|\n?)$', line)
        if m and m.group(2) != '—':
            where = [w for w in m.group(2).split(', ') if w.split(' (')[0] not in absent]
            line = m.group(1) + (', '.join(where) or '—') + m.group(3)
        out.append(line)
    return ''.join(out)


def render(rows, warned):
    """Markdown: one table per top section, one row per field."""
    groups = {}
    for (s, key), where in rows.items():
        section = SECTIONS[s]
        where = sorted(w.replace('lib/', '', 1) for w in where)
        if (s, key) in warned:
            where = [w + ' (warns: not applied)' for w in where]
        path = '.'.join(x for x in (section, key) if x)
        top = re.split(r'[.\[{ ,:]', path, 1)[0]
        if top == 'linux':
            sub = re.split(r'[.\[{]', path[len('linux.'):], 1)[0]
            top = 'linux.' + sub if sub in ('resources', 'seccomp') else 'linux'
        elif top in ('ociVersion', 'hostname', 'domainname', 'root'):
            top = 'top level'
        groups.setdefault(top, []).append((path, where))
    order = ['top level', 'process', 'mounts', 'hooks', 'annotations', 'linux', 'linux.resources',
             'linux.seccomp']
    out = []
    for g in order + sorted(k for k in groups if k not in order):
        if g not in groups:
            continue
        out.append('**%s**\n\n| field | read in |\n| --- | --- |' % g)
        for path, where in sorted(groups[g]):
            out.append('| `%s` | %s |' % (path, ', '.join(where) or '—'))
        out.append('')
    return '\n'.join(out)


if __name__ == '__main__':
    sys.exit(main())
