/* The OCI runtime-spec v1.3.0 config.json (Linux parts) as C structs.
 *
 * Conventions: every array is a pointer plus a count (n_<field>); every string
 * is malloc'd and NULL when absent; optional scalars carry a has_<field> flag.
 * A struct spec owns all of its memory; spec_free() releases it. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "base/err.h"
#include "base/idset.h"

struct spec_kv {		/* one entry of a map of strings (annotations, sysctl, unified) */
	char *key;
	char *value;
};

struct spec_idmap {		/* uidMappings / gidMappings entry */
	uint32_t container_id, host_id, size;
};

struct spec_mount {
	char *destination;	/* required; absolute inside the container (relative accepted, as runc) */
	char *source;		/* may be NULL */
	char *type;		/* may be NULL (bind mounts) */
	char **options;		/* NULL-terminated copy too: options[n_options] == NULL */
	size_t n_options;
	struct spec_idmap *uid_mappings;
	size_t n_uid_mappings;
	struct spec_idmap *gid_mappings;
	size_t n_gid_mappings;
};

struct spec_rlimit {
	char *type;		/* "RLIMIT_NOFILE" */
	int resource;		/* resolved RLIMIT_* number */
	uint64_t soft, hard;
};

struct spec_caps {		/* each set NULL-terminated string vector plus count; NULL when absent */
	char **bounding, **effective, **inheritable, **permitted, **ambient;
	size_t n_bounding, n_effective, n_inheritable, n_permitted, n_ambient;
};

struct spec_user {
	uint32_t uid, gid;
	bool has_umask;
	uint32_t umask;
	uint32_t *additional_gids;
	size_t n_additional_gids;
};

struct spec_scheduler {
	char *policy;		/* "SCHED_OTHER"... */
	int policy_num;		/* resolved SCHED_* */
	int32_t nice, priority;
	char **flags;
	size_t n_flags;
	uint64_t flags_mask;	/* resolved SCHED_FLAG_* bits */
	uint64_t runtime, deadline, period;
};

struct spec_io_priority {
	char *class;		/* "IOPRIO_CLASS_RT" ... */
	int class_num;		/* resolved IOPRIO_CLASS_* (1..3) */
	int priority;		/* 0..7 */
};

struct spec_process {
	bool terminal;
	bool has_console_size;
	uint32_t console_height, console_width;
	char *cwd;		/* required, absolute */
	char **env;		/* NULL-terminated; n_env entries */
	size_t n_env;
	char **args;		/* NULL-terminated; n_args >= 1 */
	size_t n_args;
	struct spec_user user;
	bool has_capabilities;
	struct spec_caps capabilities;
	struct spec_rlimit *rlimits;
	size_t n_rlimits;
	bool no_new_privileges;
	char *apparmor_profile;
	bool has_oom_score_adj;
	int oom_score_adj;
	char *selinux_label;
	struct spec_scheduler *scheduler;	/* NULL when absent */
	struct spec_io_priority *io_priority;	/* NULL when absent */
	char *exec_cpu_affinity_initial, *exec_cpu_affinity_final;
	struct idset exec_cpus_initial, exec_cpus_final;	/* parsed; empty when absent */
};

struct spec_hook {
	char *path;		/* required, absolute */
	char **args;		/* NULL-terminated, may be NULL */
	size_t n_args;
	char **env;		/* NULL-terminated, may be NULL */
	size_t n_env;
	bool has_timeout;
	int timeout;		/* seconds, > 0 */
};

struct spec_hooks {
	struct spec_hook *prestart, *create_runtime, *create_container, *start_container,
		*poststart, *poststop;
	size_t n_prestart, n_create_runtime, n_create_container, n_start_container,
		n_poststart, n_poststop;
};

enum spec_ns_type {
	SPEC_NS_PID, SPEC_NS_NETWORK, SPEC_NS_MOUNT, SPEC_NS_IPC, SPEC_NS_UTS,
	SPEC_NS_USER, SPEC_NS_CGROUP, SPEC_NS_TIME, SPEC_NS__COUNT
};

struct spec_namespace {
	enum spec_ns_type type;
	int clone_flag;		/* CLONE_NEWPID ... CLONE_NEWTIME */
	char *path;		/* NULL: create a new one */
};

struct spec_device {
	char *path;
	char type;		/* 'c', 'b', 'u', 'p' */
	int64_t major, minor;	/* required for c/b/u, absent for p */
	bool has_file_mode;
	uint32_t file_mode;
	bool has_uid, has_gid;
	uint32_t uid, gid;
};

struct spec_net_device {	/* linux.netDevices: host name -> container name */
	char *host_name;
	char *name;		/* may be NULL: keep the host name */
};

/* linux.resources. Optional scalars use has_ flags. */
struct spec_device_cgroup {
	bool allow;
	char *type;		/* "a", "b", "c" or NULL (= all) */
	bool has_major, has_minor;
	int64_t major, minor;
	char *access;		/* "rwm" subset or NULL */
};

struct spec_memory {
	bool has_limit, has_reservation, has_swap, has_kernel, has_kernel_tcp,
		has_swappiness, has_disable_oom_killer, has_use_hierarchy,
		has_check_before_update;
	int64_t limit, reservation, swap, kernel, kernel_tcp;
	uint64_t swappiness;
	bool disable_oom_killer, use_hierarchy, check_before_update;
};

struct spec_cpu {
	bool has_shares, has_quota, has_burst, has_period, has_realtime_runtime,
		has_realtime_period, has_idle;
	uint64_t shares, burst, period, realtime_period;
	int64_t quota, realtime_runtime, idle;
	char *cpus, *mems;
};

struct spec_weight_device {
	int64_t major, minor;
	bool has_weight, has_leaf_weight;
	uint16_t weight, leaf_weight;
};

struct spec_throttle_device {
	int64_t major, minor;
	uint64_t rate;
};

struct spec_blkio {
	bool has_weight, has_leaf_weight;
	uint16_t weight, leaf_weight;
	struct spec_weight_device *weight_device;
	size_t n_weight_device;
	struct spec_throttle_device *throttle_read_bps, *throttle_write_bps,
		*throttle_read_iops, *throttle_write_iops;
	size_t n_throttle_read_bps, n_throttle_write_bps, n_throttle_read_iops,
		n_throttle_write_iops;
};

struct spec_hugepage {
	char *page_size;	/* "2MB" */
	uint64_t limit;
};

struct spec_net_priority {
	char *name;
	uint32_t priority;
};

struct spec_rdma {
	char *device;
	bool has_hca_handles, has_hca_objects;
	uint32_t hca_handles, hca_objects;
};

struct spec_resources {
	struct spec_device_cgroup *devices;
	size_t n_devices;
	struct spec_memory *memory;	/* NULL when absent (same for the others) */
	struct spec_cpu *cpu;
	bool has_pids_limit;
	int64_t pids_limit;
	struct spec_blkio *block_io;
	struct spec_hugepage *hugepage_limits;
	size_t n_hugepage_limits;
	bool has_net_class_id;
	uint32_t net_class_id;
	struct spec_net_priority *net_priorities;
	size_t n_net_priorities;
	struct spec_rdma *rdma;
	size_t n_rdma;
	struct spec_kv *unified;
	size_t n_unified;
};

struct spec_seccomp_arg {
	uint32_t index;
	uint64_t value, value_two;
	char *op;		/* "SCMP_CMP_EQ" ... */
	int op_num;		/* resolved enum scmp_compare value */
};

struct spec_seccomp_syscall {
	char **names;
	size_t n_names;
	char *action;		/* "SCMP_ACT_ERRNO" ... */
	bool has_errno_ret;
	uint32_t errno_ret;
	struct spec_seccomp_arg *args;
	size_t n_args;
};

struct spec_seccomp {
	char *default_action;
	bool has_default_errno_ret;
	uint32_t default_errno_ret;
	char **architectures;
	size_t n_architectures;
	char **flags;
	size_t n_flags;
	char *listener_path;
	char *listener_metadata;
	struct spec_seccomp_syscall *syscalls;
	size_t n_syscalls;
};

struct spec_time_offset {
	bool set;
	int64_t secs;
	uint32_t nanosecs;
};

struct spec_intel_rdt {
	char *clos_id, *l3_cache_schema, *mem_bw_schema;
	char **schemata;
	size_t n_schemata;
	bool enable_monitoring;
};

/* Limits of the list parser: the largest NUMA node and CPU numbers Linux
 * builds for (NODES_SHIFT 10, NR_CPUS 8192). The host's own are checked
 * where the policy or affinity is applied. */
#define SPEC_MAX_NUMA_NODE 1023
#define SPEC_MAX_CPU 8191

struct spec_memory_policy {
	char *mode;
	int mode_num;
	char *nodes;
	struct idset node_set;	/* nodes, parsed */
	char **flags;
	size_t n_flags;
	unsigned flags_mask;
};

struct spec_personality {
	char *domain;		/* "LINUX" or "LINUX32" */
	unsigned long persona;	/* resolved PER_LINUX / PER_LINUX32 */
};

struct spec_linux {
	struct spec_namespace *namespaces;
	size_t n_namespaces;
	struct spec_idmap *uid_mappings, *gid_mappings;
	size_t n_uid_mappings, n_gid_mappings;
	struct spec_time_offset time_monotonic, time_boottime;
	struct spec_device *devices;
	size_t n_devices;
	struct spec_net_device *net_devices;
	size_t n_net_devices;
	char *cgroups_path;
	struct spec_resources *resources;	/* NULL when absent */
	char *rootfs_propagation;		/* "shared", "slave", "private", "unbindable", ... */
	unsigned long rootfs_propagation_flags;	/* resolved MS_* or 0 */
	struct spec_kv *sysctl;
	size_t n_sysctl;
	struct spec_seccomp *seccomp;		/* NULL when absent */
	char **masked_paths;
	size_t n_masked_paths;
	char **readonly_paths;
	size_t n_readonly_paths;
	char *mount_label;
	struct spec_intel_rdt *intel_rdt;
	struct spec_memory_policy *memory_policy;
	struct spec_personality *personality;
};

struct spec {
	char *oci_version;
	char *root_path;	/* as written in config.json (may be relative to the bundle) */
	bool root_readonly;
	struct spec_mount *mounts;
	size_t n_mounts;
	struct spec_process *process;	/* NULL when absent */
	char *hostname;
	char *domainname;
	struct spec_hooks hooks;
	struct spec_kv *annotations;
	size_t n_annotations;
	struct spec_linux *linux_;	/* NULL when absent */
};

/* Parse config.json text. On error returns -EINVAL (or -ENOMEM) and e->msg names
 * the field by its JSON path, e.g. "process.args: must be a non-empty array of strings",
 * "linux.uidMappings[0].size: must be an unsigned 32-bit integer". Duplicate object
 * keys are rejected. *out is set only on success. */
int spec_parse(const char *json, size_t len, struct spec **out, struct oerr *e);
/* The most ocirt reads of a JSON document from a file (config.json, exec
 * --process, update -r, state.json): runc-sized configs are a few KB, the
 * largest seccomp profiles a few hundred. */
#define SPEC_JSON_MAX ((size_t)16 << 20)
#define SPEC_JSON_MAX_TEXT "16 MiB"
/* Read such a file: a regular file (not a FIFO, a device or a symlink to
 * one) of at most SPEC_JSON_MAX bytes, refused at once otherwise. */
int spec_read_json_file(int dirfd, const char *path, char **text, size_t *len, struct oerr *e);
/* Read and parse <bundle>/config.json. */
int spec_load_bundle(const char *bundle_dir, struct spec **out, struct oerr *e);
/* Checks that need the whole config (e.g. a user namespace needs mappings,
 * process required at create time). Called by spec_parse. */
int spec_validate(const struct spec *s, struct oerr *e);
void spec_free(struct spec *s);

/* Lookup helpers. */
const struct spec_namespace *spec_find_namespace(const struct spec *s, enum spec_ns_type t);
const char *spec_ns_type_name(enum spec_ns_type t);	/* "pid", "network", ... */

/* Container ids: [A-Za-z0-9][A-Za-z0-9_.+-]*, at most 1024 bytes, not "." or "..". */
int spec_validate_container_id(const char *id, struct oerr *e);

/* The largest uid or gid a process may be given, runc's limit (and its
 * words for the error): 4294967295 is (uid_t)-1, which setresuid and
 * setresgid read as "leave unchanged", so such a user would stay root. */
#define SPEC_ID_MAX 2147483647u
#define SPEC_ID_RANGE_MSG "uids and gids must be in range 0-2147483647"

/* The names of constants the parser recognizes, for `features`: the i-th
 * name of the list, NULL past its end. */
enum spec_names {
	SPEC_NAMES_NAMESPACES, SPEC_NAMES_SECCOMP_ACTIONS, SPEC_NAMES_SECCOMP_OPERATORS,
	SPEC_NAMES_SECCOMP_ARCHES, SPEC_NAMES_SECCOMP_FLAGS, SPEC_NAMES_MEMORY_POLICY_MODES,
	SPEC_NAMES_MEMORY_POLICY_FLAGS,
};
const char *spec_known_name(enum spec_names list, size_t i);

/* Changes the runtime makes to a parsed config (NOTIFY_SOCKET): KEY=VALUE
 * into process.env, replacing a KEY there; a mount after the config's own
 * (strings copied). 0 or -ENOMEM. */
int spec_process_setenv(struct spec_process *p, const char *kv);
int spec_add_mount(struct spec *s, const char *destination, const char *source, const char *type,
		   const char *const *options);

/* Free a process object on its own (exec --process replaces the config's). */
void spec_process_free(struct spec_process *p);
/* Free a linux.resources object on its own (update -r). */
void spec_resources_free(struct spec_resources *r);
