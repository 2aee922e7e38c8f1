#!/usr/bin/env bats
# `ocirt features` against what the runtime does and what this suite
# exercises: every key of features.md and features-linux.md (1.3.0), every
# mount option, seccomp operator, architecture and flag it lists applied in
# a container here, every other name it lists used somewhere in the suite,
# and each capability it says is on tested, each one it says is off refused.

load helpers

# The spec beside the repository (or beside the main checkout of a worktree).
for SPEC in "$BATS_TEST_DIRNAME/../../shared/oci-runtime-spec" "$BATS_TEST_DIRNAME/../../../shared/oci-runtime-spec"; do
	[ -d "$SPEC" ] && break
done

setup() {
	setup_common
	FEATURES=$("$OCIRT" features)
}

feat() {
	jq -c "$1" <<<"$FEATURES"
}

# The keys of features 1.3.0 (features.md, features-linux.md), as paths.
KEYS=(
	ociVersionMin ociVersionMax hooks mountOptions annotations potentiallyUnsafeConfigAnnotations
	linux.namespaces linux.capabilities
	linux.cgroup.v1 linux.cgroup.v2 linux.cgroup.systemd linux.cgroup.systemdUser linux.cgroup.rdma
	linux.seccomp.enabled linux.seccomp.actions linux.seccomp.operators linux.seccomp.archs
	linux.seccomp.knownFlags linux.seccomp.supportedFlags
	linux.apparmor.enabled linux.selinux.enabled
	linux.memoryPolicy.modes linux.memoryPolicy.flags
	linux.intelRdt.enabled linux.intelRdt.schemata linux.intelRdt.monitoring
	linux.mountExtensions.idmap.enabled
	linux.netDevices.enabled
)

@test "features has every key of features.md and features-linux.md 1.3.0" {
	local k missing=
	for k in "${KEYS[@]}"; do
		[ "$(jq --arg p "$k" 'getpath($p | split(".")) != null' <<<"$FEATURES")" = true ] ||
			missing+=" $k"
	done
	[ -z "$missing" ] || { echo "features lacks:$missing" >&2; return 1; }
	# and the list above has every key the spec names (**`key`** in its text)
	[ -d "$SPEC" ] || skip "no runtime-spec at $SPEC"
	local name
	for name in $(grep -ho '^ *\* \*\*`[A-Za-z0-9]*`\*\*' "$SPEC/features.md" "$SPEC/features-linux.md" |
		sed 's/.*`\(.*\)`.*/\1/' | sort -u); do
		case " ${KEYS[*]} " in
		*" $name "* | *".$name "* | *".$name."* | *" $name."*) ;;
		*) missing+=" $name" ;;
		esac
	done
	[ -z "$missing" ] || { echo "the spec has keys this test does not know:$missing" >&2; return 1; }
}

# Mount options: for each one features lists, the mount it is tried on and
# what the container's /proc/self/mountinfo must then show for it.
#   tmp OPTS        a tmpfs at /mo/NAME with the options OPTS (a JSON list)
#   bind OPTS       a bind of $SRC (a shared tmpfs of the test's, with a file)
#   rbind OPTS      a bind of $SRC with its submount $SRC/sub; checked on the submount
#   remount OPTS    a tmpfs at /mo/NAME, then a second entry with OPTS
# checks: m+X / m-X  per-mount option X there / not; s+X / s-X superblock
# option; p+X / p-X  propagation field X (shared, master, unbindable);
# f+FILE  FILE is there in the mount; ok  the mount is there.
declare -gA MOUNT_CASES=(
	[async]='tmp ["sync","async"]|s-sync'
	[atime]='tmp ["noatime","atime"]|m-noatime'
	[bind]='bind ["bind"]|f+marker'
	[defaults]='tmp ["ro","defaults"]|m+ro'
	[dev]='tmp ["nodev","dev"]|m-nodev'
	[diratime]='tmp ["nodiratime","diratime"]|m-nodiratime'
	[dirsync]='tmp ["dirsync"]|s+dirsync'
	[exec]='tmp ["noexec","exec"]|m-noexec'
	[iversion]='tmp ["iversion"]|ok'
	[lazytime]='tmp ["lazytime"]|s+lazytime'
	[loud]='tmp ["silent","loud"]|ok'
	[mand]='tmp ["mand"]|s+mand'
	[noatime]='tmp ["noatime"]|m+noatime'
	[nodev]='tmp ["nodev"]|m+nodev'
	[nodiratime]='tmp ["nodiratime"]|m+nodiratime'
	[noexec]='tmp ["noexec"]|m+noexec'
	[noiversion]='tmp ["iversion","noiversion"]|ok'
	[nolazytime]='tmp ["lazytime","nolazytime"]|s-lazytime'
	[nomand]='tmp ["mand","nomand"]|s-mand'
	[norelatime]='tmp ["relatime","norelatime"]|ok'
	[nostrictatime]='tmp ["strictatime","nostrictatime"]|m+relatime'
	[nosuid]='tmp ["nosuid"]|m+nosuid'
	[nosymfollow]='tmp ["nosymfollow"]|m+nosymfollow'
	[rbind]='rbind ["rbind"]|ok'
	[relatime]='tmp ["strictatime","relatime"]|m+relatime'
	[remount]='remount ["remount","ro"]|m+ro'
	[ro]='tmp ["ro"]|m+ro'
	[rw]='tmp ["ro","rw"]|m+rw'
	[silent]='tmp ["silent"]|ok'
	[strictatime]='tmp ["strictatime"]|m-relatime'
	[suid]='tmp ["nosuid","suid"]|m-nosuid'
	[symfollow]='tmp ["nosymfollow","symfollow"]|m-nosymfollow'
	[sync]='tmp ["sync"]|s+sync'
	[private]='bind ["bind","private"]|p-shared'
	[rprivate]='rbind ["rbind","rprivate"]|p-shared'
	[shared]='tmp ["shared"]|p+shared'
	[rshared]='rbind ["rbind","rshared"]|p+shared'
	[slave]='bind ["bind","slave"]|p+master'
	[rslave]='rbind ["rbind","rslave"]|p+master'
	[unbindable]='tmp ["unbindable"]|p+unbindable'
	[runbindable]='rbind ["rbind","runbindable"]|p+unbindable'
	[rro]='rbind ["rbind","rro"]|m+ro'
	[rrw]='rbind ["rbind","rro","rrw"]|m+rw'
	[rnosuid]='rbind ["rbind","rnosuid"]|m+nosuid'
	[rsuid]='rbind ["rbind","rnosuid","rsuid"]|m-nosuid'
	[rnodev]='rbind ["rbind","rnodev"]|m+nodev'
	[rdev]='rbind ["rbind","rnodev","rdev"]|m-nodev'
	[rnoexec]='rbind ["rbind","rnoexec"]|m+noexec'
	[rexec]='rbind ["rbind","rnoexec","rexec"]|m-noexec'
	[rnodiratime]='rbind ["rbind","rnodiratime"]|m+nodiratime'
	[rdiratime]='rbind ["rbind","rnodiratime","rdiratime"]|m-nodiratime'
	[rrelatime]='rbind ["rbind","rstrictatime","rrelatime"]|m+relatime'
	[rnorelatime]='rbind ["rbind","rnorelatime"]|ok'
	[rnoatime]='rbind ["rbind","rnoatime"]|m+noatime'
	[ratime]='rbind ["rbind","rnoatime","ratime"]|m-noatime'
	[rstrictatime]='rbind ["rbind","rstrictatime"]|m-relatime'
	[rnostrictatime]='rbind ["rbind","rstrictatime","rnostrictatime"]|m+relatime'
	[rnosymfollow]='rbind ["rbind","rnosymfollow"]|m+nosymfollow'
	[rsymfollow]='rbind ["rbind","rnosymfollow","rsymfollow"]|m-nosymfollow'
	[tmpcopyup]='tmp ["tmpcopyup"]|f+copied'
)
# Tested where they need a user namespace (bats/userns.bats).
ELSEWHERE_MOUNT_OPTIONS="idmap ridmap"

# mount_of MOUNTINFO PATH: the line of the mount at PATH (the last one).
mount_of() {
	awk -v p="$2" '$5 == p { line = $0 } END { print line }' "$1"
}

# has_check LINE CHECK: the mountinfo line passes the check.
has_check() {
	local line=$1 check=$2 opts super prop
	opts=$(awk '{ print $6 }' <<<"$line")
	super=$(awk '{ for (i = 7; $i != "-"; i++); print $(i + 3) }' <<<"$line")
	prop=$(awk '{ s = ""; for (i = 7; $i != "-"; i++) s = s " " $i; print s }' <<<"$line")
	case $check in
	ok) [ -n "$line" ] ;;
	m+*) [[ ",$opts," == *",${check#m+},"* ]] ;;
	m-*) [ -n "$line" ] && [[ ",$opts," != *",${check#m-},"* ]] ;;
	s+*) [[ ",$super," == *",${check#s+},"* ]] ;;
	s-*) [ -n "$line" ] && [[ ",$super," != *",${check#s-},"* ]] ;;
	p+*) [[ "$prop" == *" ${check#p+}"* ]] ;;
	p-*) [ -n "$line" ] && [[ "$prop" != *" ${check#p-}"* ]] ;;
	esac
}

@test "every mount option features lists does what it says (read back from mountinfo)" {
	local opt missing= spec where opts check mounts='[]' src=$BATS_TEST_TMPDIR/src
	for opt in $(feat '.mountOptions[]' | tr -d '"'); do
		[ -n "${MOUNT_CASES[$opt]:-}" ] || [[ " $ELSEWHERE_MOUNT_OPTIONS " == *" $opt "* ]] ||
			missing+=" $opt"
	done
	[ -z "$missing" ] || { echo "features lists mount options this test has no case for:$missing" >&2; return 1; }
	for opt in $ELSEWHERE_MOUNT_OPTIONS; do
		grep -q "\"$opt\"" "$BATS_TEST_DIRNAME"/userns.bats
	done
	# the source of the binds: a shared tmpfs with a file and a submount
	mkdir -p "$src"
	mount -t tmpfs tmpfs "$src"
	mount --make-shared "$src"
	touch "$src/marker"
	mkdir "$src/sub"
	mount -t tmpfs tmpfs "$src/sub"
	mkdir -p "$BUNDLE/rootfs/mo/tmpcopyup"
	touch "$BUNDLE/rootfs/mo/tmpcopyup/copied"
	for opt in "${!MOUNT_CASES[@]}"; do
		spec=${MOUNT_CASES[$opt]%%|*}
		where=${spec%% *}
		opts=${spec#* }
		case $where in
		tmp) mounts=$(jq -c --arg d "/mo/$opt" --argjson o "$opts" \
			'. + [{"destination": $d, "type": "tmpfs", "source": "tmpfs", "options": $o}]' <<<"$mounts") ;;
		bind | rbind) mounts=$(jq -c --arg d "/mo/$opt" --arg s "$src" --argjson o "$opts" \
			'. + [{"destination": $d, "type": "bind", "source": $s, "options": $o}]' <<<"$mounts") ;;
		remount) mounts=$(jq -c --arg d "/mo/$opt" --argjson o "$opts" \
			'. + [{"destination": $d, "type": "tmpfs", "source": "tmpfs"}, {"destination": $d, "options": $o}]' \
			<<<"$mounts") ;;
		esac
	done
	update_config --argjson m "$mounts" '.mounts += $m'
	set_args sh -c 'cat /proc/self/mountinfo; ls /mo/bind /mo/tmpcopyup'
	ocirt run -b "$BUNDLE" "$ID"
	umount "$src/sub" "$src"
	assert_status 0
	grep -v '^[0-9]' <<<"$output" >"$BATS_TEST_TMPDIR/files"
	grep '^[0-9]' <<<"$output" >"$BATS_TEST_TMPDIR/mountinfo"
	local bad= line path
	for opt in "${!MOUNT_CASES[@]}"; do
		spec=${MOUNT_CASES[$opt]%%|*}
		check=${MOUNT_CASES[$opt]#*|}
		path=/mo/$opt
		[ "${spec%% *}" != rbind ] || path=/mo/$opt/sub
		line=$(mount_of "$BATS_TEST_TMPDIR/mountinfo" "$path")
		case $check in
		f+*) grep -qx "${check#f+}" "$BATS_TEST_TMPDIR/files" || bad+=" $opt" ;;
		*) has_check "$line" "$check" || { bad+=" $opt"; echo "$opt ($check): $path: ${line:-no mount}" >&2; } ;;
		esac
	done
	[ -z "$bad" ] || { echo "mount options that did not do what they say:$bad" >&2; return 1; }
}

RENICE='renice 5 -p $$ >/dev/null 2>&1; echo $?; renice 7 -p $$ >/dev/null 2>&1; echo $?'

@test "every seccomp operator, architecture and supported flag features lists is applied" {
	# setpriority's third argument is the nice value that `renice N` asks for
	local op value blocked allowed got
	for op in $(feat '.linux.seccomp.operators[]' | tr -d '"'); do
		# a rule that matches 5 and not 7
		case $op in
		SCMP_CMP_NE) value=7 ;;
		SCMP_CMP_LT) value=6 ;;
		SCMP_CMP_LE) value=5 ;;
		SCMP_CMP_EQ) value=5 ;;
		SCMP_CMP_GE | SCMP_CMP_GT) continue ;;
		SCMP_CMP_MASKED_EQ) value=15 ;;	# (arg & value) == valueTwo
		*) echo "no case for $op" >&2; return 1 ;;
		esac
		update_config --arg op "$op" --argjson v "$value" '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
			"syscalls": [{"names": ["setpriority"], "action": "SCMP_ACT_ERRNO",
			"args": [{"index": 2, "value": $v, "valueTwo": (if $op == "SCMP_CMP_MASKED_EQ" then 5 else 0 end),
			"op": $op}]}]}'
		run_ct sh -c "$RENICE"
		got=$(echo $output)
		[ "$got" = "1 0" ] || { echo "$op: renice 5 and 7 exited $got, not 1 0" >&2; return 1; }
	done
	for op in SCMP_CMP_GE SCMP_CMP_GT; do
		value=$([ $op = SCMP_CMP_GE ] && echo 7 || echo 6)
		update_config --arg op "$op" --argjson v "$value" '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
			"syscalls": [{"names": ["setpriority"], "action": "SCMP_ACT_ERRNO",
			"args": [{"index": 2, "value": $v, "op": $op}]}]}'
		run_ct sh -c "$RENICE"
		got=$(echo $output)
		[ "$got" = "0 1" ] || { echo "$op: renice 5 and 7 exited $got, not 0 1" >&2; return 1; }
	done
	# every architecture in one filter, every supported flag on it
	update_config --argjson a "$(feat .linux.seccomp.archs)" --argjson f "$(feat .linux.seccomp.supportedFlags)" \
		'.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": $a, "flags": $f,
		"syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"}]}'
	run_ct sh -c 'mkdir /tmp/x 2>/dev/null; echo $?'
	assert_status 0
	assert_output 1
	# a known flag that is not supported here is refused, not ignored
	for f in $(jq -r -n --argjson k "$(feat .linux.seccomp.knownFlags)" \
		--argjson s "$(feat .linux.seccomp.supportedFlags)" '$k - $s | .[]'); do
		update_config --arg f "$f" '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "flags": [$f]}'
		ocirt create -b "$BUNDLE" "$ID"
		assert_status 1
		assert_contains "$stderr" "$f"
		assert_clean
	done
}

@test "every other name features lists is used by the suite" {
	local list name missing=
	for list in .hooks .linux.namespaces .linux.seccomp.actions .linux.memoryPolicy.modes \
		.linux.memoryPolicy.flags; do
		for name in $(feat "$list[]" | tr -d '"'); do
			grep -q -- "$name" "$BATS_TEST_DIRNAME"/*.bats || missing+=" $list:$name"
		done
	done
	[ -z "$missing" ] || { echo "listed by features, used by no test:$missing" >&2; return 1; }
	# capabilities: the kernel's own are the ones to check
	local cap
	for cap in $(feat '.linux.capabilities[]' | tr -d '"'); do
		grep -qx "$cap" <(grep -o 'CAP_[A-Z_]*' /usr/include/linux/capability.h) ||
			missing+=" $cap"
	done
	[ -z "$missing" ] || { echo "capabilities the kernel headers do not have:$missing" >&2; return 1; }
}

# feature_test KEY FILE PATTERN: features says KEY is on, and FILE has a test
# whose name matches PATTERN.
feature_test() {
	[ "$(feat ".$1")" = true ] || return 1
	grep -q "^@test \".*$3" "$BATS_TEST_DIRNAME/$2" || {
		echo "features says $1, but $2 has no test for \"$3\"" >&2
		return 1
	}
}

@test "what features says is on is tested; what it says is off is refused" {
	feature_test linux.seccomp.enabled seccomp.bats "SCMP_ACT_KILL, KILL_PROCESS and KILL_THREAD"
	feature_test linux.cgroup.v1 cgroups.bats "memory: limit"
	feature_test linux.cgroup.v2 cgroups.bats "unified: v2 files"
	feature_test linux.cgroup.rdma cgroups.bats "rdma"
	feature_test linux.mountExtensions.idmap.enabled userns.bats "idmapped mounts show host files"
	feature_test linux.apparmor.enabled process.bats "apparmorProfile"
	feature_test linux.selinux.enabled process.bats "selinuxLabel"
	# memory policies: numa_affinity.bats runs every mode and flag
	# (and the names test above finds each in it)
	if [ "$(feat .linux.netDevices.enabled)" = true ]; then
		feature_test linux.netDevices.enabled netdev.bats "moved, renamed"
	else
		update_config '.linux.netDevices = {"lo": {}}'
		ocirt create -b "$BUNDLE" "$ID"
		assert_status 1
		assert_contains "$stderr" "linux.netDevices: not supported"
	fi
	if [ "$(feat .linux.intelRdt.enabled)" = true ]; then
		skip "resctrl is mounted here, and no test of this suite uses it"
	fi
	[ "$(feat .linux.intelRdt.schemata)" = false ] && [ "$(feat .linux.intelRdt.monitoring)" = false ] || false
	update_config '.linux.intelRdt = {"closID": "x"}'
	ocirt create -b "$BUNDLE" "$ID"
	assert_status 1
	assert_contains "$stderr" "linux.intelRdt: no resctrl filesystem is mounted"
	update_config 'del(.linux.intelRdt)'
	if [ "$(feat .linux.cgroup.systemd)" = true ]; then
		grep -q "^@test" "$BATS_TEST_DIRNAME/systemd.bats"
	else
		update_config '.linux.cgroupsPath = "system.slice:ocirt:x"'
		ocirt --systemd-cgroup create -b "$BUNDLE" "$ID"
		assert_status 1
		assert_contains "$stderr" "systemd"
	fi
	assert_clean
}
