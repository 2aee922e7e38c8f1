/* Unit tests for oci/spec.h and oci/default_spec.h (TAP): the runtime-spec's
 * example configs, error messages naming the field, parsed values.
 * argv[1]: the oci-runtime-spec directory (its schema/test/config examples);
 * those tests are skipped when it is absent.
 *
 * Inline JSON is written with single quotes, turned into double quotes
 * before parsing. */
#include "oci/default_spec.h"
#include "oci/spec.h"
#include "base/util.h"
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>

static int n_test, n_fail;

static void ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ok(bool cond, const char *fmt, ...)
{
	va_list ap;
	n_test++;
	if (!cond)
		n_fail++;
	printf("%sok %d - ", cond ? "" : "not ", n_test);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static void skip(const char *why)
{
	printf("ok %d # SKIP %s\n", ++n_test, why);
}

static char *dq(const char *s)
{
	char *t = strdup(s);
	for (char *c = t; *c; c++)
		if (*c == '\'')
			*c = '"';
	return t;
}

/* Parse inline JSON (single quotes); NULL and e filled on error. */
static struct spec *parse(const char *json, struct oerr *e)
{
	_cleanup_free_ char *text = dq(json);
	struct spec *s = NULL;
	memset(e, 0, sizeof(*e));
	if (spec_parse(text, strlen(text), &s, e) < 0)
		return NULL;
	return s;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void expect_error(const char *json, const char *prefix)
{
	struct oerr e;
	struct spec *s = parse(json, &e);
	bool good = !s && e.code == EINVAL && starts_with(e.msg, prefix);
	ok(good, "rejects: %s", prefix);
	if (!good)
		printf("#   got: %s\n", s ? "(parsed fine)" : e.msg);
	spec_free(s);
}

/* A valid config with extra top-level members, a process, or a linux object. */
#define CFG(extra) "{'ociVersion':'1.0.0','root':{'path':'rootfs'}" extra "}"
#define PROC(extra) CFG(",'process':{'cwd':'/','args':['sh']" extra "}")
#define LINUX(body) CFG(",'linux':{" body "}")
#define RES(body) LINUX("'resources':{" body "}")
#define SECCOMP(body) LINUX("'seccomp':{'defaultAction':'SCMP_ACT_ALLOW'" body "}")

static const struct bad_case {
	const char *json, *prefix;
} bad_cases[] = {
	/* syntax and top level */
	{ "{", "invalid JSON: " },
	{ "{'ociVersion':'1','ociVersion':'2','root':{'path':'r'}}", "invalid JSON: duplicate object key" },
	{ "[]", "must be a JSON object" },
	{ "{'root':{'path':'rootfs'}}", "ociVersion: required" },
	{ "{'ociVersion':1,'root':{'path':'rootfs'}}", "ociVersion: must be a string" },
	{ "{'ociVersion':'1.0.0'}", "root: required" },
	{ "{'ociVersion':'1.0.0','root':{}}", "root.path: required" },
	{ "{'ociVersion':'1.0.0','root':'rootfs'}", "root: must be an object" },
	{ CFG(",'root':{'path':'r','readonly':'yes'}"), "invalid JSON: duplicate object key" },
	{ "{'ociVersion':'1.0.0','root':{'path':'r','readonly':'yes'}}", "root.readonly: must be a boolean" },
	{ CFG(",'x':'\\u0000'"), "invalid JSON: \\u0000 is not allowed in strings" },
	{ "{'a':18446744073709551615, ]", "invalid JSON: string or '}' expected near ']' at line 1 column 28" },
	{ "{'a':\n 1e400}", "invalid JSON: real number overflow near '1e400' at line 2 column 6" },
	/* process */
	{ CFG(",'process':{'args':['sh']}"), "process.cwd: required" },
	{ CFG(",'process':{'cwd':'tmp','args':['sh']}"), "process.cwd: must be an absolute path" },
	{ CFG(",'process':{'cwd':'/','args':[]}"), "process.args: must be a non-empty array of strings" },
	{ CFG(",'process':{'cwd':'/'}"), "process.args: required" },
	{ CFG(",'process':{'cwd':'/','args':['sh',1]}"), "process.args[1]: must be a string" },
	{ CFG(",'process':[]"), "process: must be an object" },
	{ PROC(",'env':'PATH=/bin'"), "process.env: must be an array of strings" },
	{ PROC(",'terminal':1"), "process.terminal: must be a boolean" },
	{ PROC(",'user':{'uid':-1}"), "process.user.uid: must be an unsigned 32-bit integer" },
	{ PROC(",'user':{'uid':4294967296}"), "process.user.uid: must be an unsigned 32-bit integer" },
	{ PROC(",'user':{'uid':18446744073709551615}"), "process.user.uid: must be an unsigned 32-bit integer" },
	{ PROC(",'user':{'gid':1.5}"), "process.user.gid: must be an unsigned 32-bit integer" },
	/* (uid_t)-1 would leave the process root; runc's limit and words */
	{ PROC(",'user':{'uid':4294967295}"), "process.user.uid: uids and gids must be in range 0-2147483647" },
	{ PROC(",'user':{'uid':2147483648}"), "process.user.uid: uids and gids must be in range 0-2147483647" },
	{ PROC(",'user':{'uid':0,'gid':4294967295}"), "process.user.gid: uids and gids must be in range 0-2147483647" },
	{ PROC(",'user':{'additionalGids':[5,4294967295]}"),
	  "process.user.additionalGids[1]: uids and gids must be in range 0-2147483647" },
	{ PROC(",'user':{'umask':'022'}"), "process.user.umask: must be an unsigned 32-bit integer" },
	{ PROC(",'user':{'additionalGids':[1,'x']}"),
	  "process.user.additionalGids[1]: must be an unsigned 32-bit integer" },
	{ PROC(",'rlimits':[{'type':'RLIMIT_NOFILE','soft':1,'hard':1},{'type':'RLIMIT_NOFILE','soft':2,'hard':2}]"),
	  "process.rlimits[1].type: duplicate RLIMIT_NOFILE" },
	{ PROC(",'rlimits':[{'type':'RLIMIT_FOO','soft':1,'hard':1}]"),
	  "process.rlimits[0].type: unknown rlimit \"RLIMIT_FOO\"" },
	{ PROC(",'rlimits':[{'type':'RLIMIT_CORE','hard':1}]"), "process.rlimits[0].soft: required" },
	{ PROC(",'rlimits':[{'soft':1,'hard':1}]"), "process.rlimits[0].type: required" },
	{ PROC(",'rlimits':[{'type':'RLIMIT_CORE','soft':2,'hard':1}]"),
	  "process.rlimits[0].soft: must not be greater than hard" },
	{ PROC(",'rlimits':[{'type':'RLIMIT_CORE','soft':1,'hard':-1}]"),
	  "process.rlimits[0].hard: must be an unsigned 64-bit integer" },
	{ PROC(",'rlimits':[{'type':'RLIMIT_CORE','soft':1,'hard':'1'}]"),
	  "process.rlimits[0].hard: must be an unsigned 64-bit integer" },
	{ PROC(",'rlimits':[{'type':'RLIMIT_CORE','soft':1,'hard':18446744073709551616}]"), "invalid JSON: " },
	{ PROC(",'rlimits':[{'type':'RLIMIT_CORE','soft':1,'hard':1e3}]"),
	  "process.rlimits[0].hard: must be an unsigned 64-bit integer" },
	{ PROC(",'rlimits':['RLIMIT_CORE']"), "process.rlimits[0]: must be an object" },
	{ PROC(",'capabilities':{'bounding':[1]}"), "process.capabilities.bounding[0]: must be a string" },
	{ PROC(",'oomScoreAdj':1001"), "process.oomScoreAdj: must be an integer between -1000 and 1000" },
	{ PROC(",'scheduler':{'policy':'SCHED_X'}"), "process.scheduler.policy: unknown scheduler policy \"SCHED_X\"" },
	{ PROC(",'scheduler':{'nice':1}"), "process.scheduler.policy: required" },
	{ PROC(",'scheduler':{'policy':'SCHED_FIFO','nice':2147483648}"),
	  "process.scheduler.nice: must be a 32-bit integer" },
	{ PROC(",'scheduler':{'policy':'SCHED_FIFO','flags':['SCHED_FLAG_RECLAIM','X']}"),
	  "process.scheduler.flags[1]: unknown scheduler flag \"X\"" },
	{ PROC(",'ioPriority':{'class':'IOPRIO_CLASS_BE','priority':8}"),
	  "process.ioPriority.priority: must be an integer between 0 and 7" },
	{ PROC(",'ioPriority':{'priority':1}"), "process.ioPriority.class: required" },
	{ PROC(",'ioPriority':{'class':'IOPRIO_CLASS_NONE'}"),
	  "process.ioPriority.class: unknown I/O priority class \"IOPRIO_CLASS_NONE\"" },
	{ PROC(",'terminal':true,'consoleSize':{'width':80}"), "process.consoleSize.height: required" },
	{ PROC(",'execCPUAffinity':{'initial':'a'}"), "process.execCPUAffinity.initial: invalid CPU list" },
	{ PROC(",'execCPUAffinity':{'final':'1-'}"), "process.execCPUAffinity.final: invalid CPU list \"1-\": bad syntax" },
	{ PROC(",'execCPUAffinity':{'final':'8192'}"),
	  "process.execCPUAffinity.final: invalid CPU list \"8192\": 8192 is above 8191" },
	{ PROC(",'execCPUAffinity':{'initial':'2-1'}"),
	  "process.execCPUAffinity.initial: invalid CPU list \"2-1\": range 2-1 is reversed" },
	/* mounts, hooks, annotations, hostname */
	{ CFG(",'mounts':{}"), "mounts: must be an array" },
	{ CFG(",'mounts':[{'destination':'/a'},{'destination':'/b'},{'type':'tmpfs'}]"),
	  "mounts[2].destination: required" },
	{ CFG(",'mounts':[{'destination':''}]"), "mounts[0].destination: must not be empty" },
	{ CFG(",'mounts':[{'destination':'/a','options':'ro'}]"), "mounts[0].options: must be an array of strings" },
	{ CFG(",'mounts':['/a']"), "mounts[0]: must be an object" },
	{ CFG(",'mounts':[{'destination':'/a','uidMappings':[{'containerID':0,'hostID':1,'size':1}]}]"),
	  "mounts[0].gidMappings: required with uidMappings" },
	{ CFG(",'mounts':[{'destination':'/a','uidMappings':[{'containerID':0,'hostID':1}]}]"),
	  "mounts[0].uidMappings[0].size: required" },
	{ CFG(",'hooks':{'prestart':[{'path':'bin/true'}]}"), "hooks.prestart[0].path: must be an absolute path" },
	{ CFG(",'hooks':{'poststart':[{'path':'/bin/true','timeout':0}]}"),
	  "hooks.poststart[0].timeout: must be a positive 32-bit integer" },
	{ CFG(",'hooks':{'createRuntime':[{'args':['x']}]}"), "hooks.createRuntime[0].path: required" },
	{ CFG(",'hooks':{'poststop':[{'path':'/x','env':[true]}]}"), "hooks.poststop[0].env[0]: must be a string" },
	{ CFG(",'annotations':{'com.example':1}"), "annotations[\"com.example\"]: must be a string" },
	{ CFG(",'annotations':{'':'x'}"), "annotations[\"\"]: keys must not be empty" },
	{ CFG(",'annotations':{'a\\u0022b':1}"), "annotations[\"a\\\"b\"]: must be a string" },
	{ CFG(",'hostname':'h'"), "hostname: requires a uts namespace" },
	{ CFG(",'domainname':'d'"), "domainname: requires a uts namespace" },
	{ CFG(",'hostname':1"), "hostname: must be a string" },
	{ CFG(",'hostname':'0123456789012345678901234567890123456789012345678901234567890123456789',"
	      "'linux':{'namespaces':[{'type':'uts'}]}"), "hostname: longer than 64 bytes" },
	/* linux: namespaces and mappings */
	{ CFG(",'linux':[]"), "linux: must be an object" },
	{ LINUX("'namespaces':[{'type':'pid'},{'type':'mount'},{'type':'ipc'},{'type':'pid'}]"),
	  "linux.namespaces[3].type: duplicate namespace \"pid\"" },
	{ LINUX("'namespaces':[{'type':'foo'}]"), "linux.namespaces[0].type: unknown namespace type \"foo\"" },
	{ LINUX("'namespaces':[{'path':'/proc/1/ns/pid'}]"), "linux.namespaces[0].type: required" },
	{ LINUX("'namespaces':[{'type':'net'}]"), "linux.namespaces[0].type: unknown namespace type \"net\"" },
	{ LINUX("'namespaces':[{'type':'network','path':'proc/1/ns/net'}]"),
	  "linux.namespaces[0].path: must be an absolute path" },
	{ LINUX("'namespaces':[{'type':'user'}],'uidMappings':[{'containerID':0,'hostID':0,'size':4294967296}]"),
	  "linux.uidMappings[0].size: must be an unsigned 32-bit integer" },
	{ LINUX("'uidMappings':[{'containerID':0,'size':1}]"), "linux.uidMappings[0].hostID: required" },
	{ LINUX("'uidMappings':[{'containerID':0,'hostID':0,'size':1}]"),
	  "linux.uidMappings: requires a user namespace" },
	{ LINUX("'gidMappings':[{'containerID':0,'hostID':0,'size':1}]"),
	  "linux.gidMappings: requires a user namespace" },
	{ LINUX("'namespaces':[{'type':'user'}]"), "linux.uidMappings: required with a new user namespace" },
	{ LINUX("'namespaces':[{'type':'user'}],'uidMappings':[{'containerID':0,'hostID':0,'size':1}]"),
	  "linux.gidMappings: required with a new user namespace" },
	{ LINUX("'namespaces':[{'type':'user','path':'/proc/1/ns/user'}],"
		"'uidMappings':[{'containerID':0,'hostID':0,'size':1}]"),
	  "linux.uidMappings: not allowed when joining a user namespace" },
	{ LINUX("'namespaces':[{'type':'user'}],'uidMappings':[{'containerID':0,'hostID':0,'size':0}],"
		"'gidMappings':[{'containerID':0,'hostID':0,'size':1}]"),
	  "linux.uidMappings[0].size: must be greater than zero" },
	{ LINUX("'timeOffsets':{'monotonic':{'secs':1}}"), "linux.timeOffsets: requires a time namespace" },
	{ LINUX("'namespaces':[{'type':'time','path':'/proc/1/ns/time'}],'timeOffsets':{'boottime':{'secs':1}}"),
	  "linux.timeOffsets: not allowed when joining a time namespace" },
	{ LINUX("'namespaces':[{'type':'time'}],'timeOffsets':{'monotonic':{'nanosecs':1000000000}}"),
	  "linux.timeOffsets.monotonic.nanosecs: must be an integer between 0 and 999999999" },
	{ LINUX("'namespaces':[{'type':'time'}],'timeOffsets':{'boottime':{'secs':'1'}}"),
	  "linux.timeOffsets.boottime.secs: must be a 64-bit integer" },
	/* sysctl */
	{ LINUX("'sysctl':{'net.ipv4.ip_forward':'1'}"),
	  "linux.sysctl[\"net.ipv4.ip_forward\"]: requires a network namespace" },
	{ LINUX("'sysctl':{'kernel.shmmax':'1'}"), "linux.sysctl[\"kernel.shmmax\"]: requires an ipc namespace" },
	{ LINUX("'sysctl':{'fs.mqueue.msg_max':'1'}"),
	  "linux.sysctl[\"fs.mqueue.msg_max\"]: requires an ipc namespace" },
	{ LINUX("'sysctl':{'kernel/sem':'1'}"), "linux.sysctl[\"kernel/sem\"]: requires an ipc namespace" },
	{ LINUX("'sysctl':{'kernel.domainname':'x'}"), "linux.sysctl[\"kernel.domainname\"]: requires a uts namespace" },
	{ LINUX("'namespaces':[{'type':'uts'}],'sysctl':{'kernel.hostname':'x'}"),
	  "linux.sysctl[\"kernel.hostname\"]: conflicts with the \"hostname\" field; set the hostname there" },
	{ CFG(",'domainname':'a','linux':{'namespaces':[{'type':'uts'}],"
	  "'sysctl':{'kernel/domainname':'b'}}"),
	  "linux.sysctl[\"kernel/domainname\"]: \"b\" conflicts with the \"domainname\" field \"a\"" },
	{ LINUX("'namespaces':[{'type':'ipc'},{'type':'network'},{'type':'uts'}],'sysctl':{'vm.swappiness':'1'}"),
	  "linux.sysctl[\"vm.swappiness\"]: not in a namespace of the container" },
	{ LINUX("'namespaces':[{'type':'network'}],'sysctl':{'net.core.somaxconn':256}"),
	  "linux.sysctl[\"net.core.somaxconn\"]: must be a string" },
	/* devices, paths, propagation */
	{ LINUX("'devices':[{'type':'x','path':'/dev/x','major':1,'minor':1}]"),
	  "linux.devices[0].type: must be one of \"c\", \"b\", \"u\", \"p\"" },
	{ LINUX("'devices':[{'type':'c','path':'/dev/x','minor':1}]"), "linux.devices[0].major: required" },
	{ LINUX("'devices':[{'type':'c','major':1,'minor':1}]"), "linux.devices[0].path: required" },
	{ LINUX("'devices':[{'type':'c','path':'dev/x','major':1,'minor':1}]"),
	  "linux.devices[0].path: must be an absolute path" },
	{ LINUX("'devices':[{'type':'c','path':'/dev/x','major':1,'minor':1,'fileMode':-1}]"),
	  "linux.devices[0].fileMode: must be an unsigned 32-bit integer" },
	{ LINUX("'rootfsPropagation':'foo'"), "linux.rootfsPropagation: unknown propagation \"foo\"" },
	{ LINUX("'maskedPaths':['proc/kcore']"), "linux.maskedPaths[0]: must be an absolute path" },
	{ LINUX("'readonlyPaths':['/proc/sys',7]"), "linux.readonlyPaths[1]: must be a string" },
	{ LINUX("'netDevices':{'eth0':{'name':23}}"), "linux.netDevices.eth0.name: must be a string" },
	{ LINUX("'netDevices':{'eth0':{'name':'a/b'}}"), "linux.netDevices.eth0.name: invalid interface name" },
	{ LINUX("'netDevices':{'eth0':'x'}"), "linux.netDevices.eth0: must be an object" },
	{ LINUX("'netDevices':{'eth%d':{}}"), "linux.netDevices[\"eth%d\"]: invalid interface name \"eth%d\"" },
	{ LINUX("'netDevices':{'eth0':{'name':'e%d%d'}}"),
	  "linux.netDevices.eth0.name: invalid interface name \"e%d%d\" (a template has one %d)" },
	{ LINUX("'netDevices':{'eth0':{'name':'e%s'}}"), "linux.netDevices.eth0.name: invalid interface name \"e%s\"" },
	{ LINUX("'netDevices':{'eth0':{'name':'averyveryverylongname'}}"),
	  "linux.netDevices.eth0.name: invalid interface name" },
	{ LINUX("'netDevices':{'eth0':{}}"), "linux.netDevices: requires a network namespace" },
	{ LINUX("'namespaces':[{'type':'network'}],'netDevices':{'eth0':{'name':'x'},'eth1':{'name':'x'}}"),
	  "linux.netDevices.eth1: eth0 and eth1 would both be named x in the container" },
	{ LINUX("'namespaces':[{'type':'network'}],'netDevices':{'eth0':{},'eth1':{'name':'eth0'}}"),
	  "linux.netDevices.eth1: eth0 and eth1 would both be named eth0 in the container" },
	{ LINUX("'memoryPolicy':{'nodes':'0'}"), "linux.memoryPolicy.mode: required" },
	{ LINUX("'memoryPolicy':{'mode':'MPOL_BIND','flags':['MPOL_F_X']}"),
	  "linux.memoryPolicy.flags[0]: unknown memory policy flag \"MPOL_F_X\"" },
	{ LINUX("'memoryPolicy':{'mode':'MPOL_BIND','nodes':'bad'}"),
	  "linux.memoryPolicy.nodes: invalid node list \"bad\": bad syntax at \"bad\"" },
	{ LINUX("'memoryPolicy':{'mode':'MPOL_BIND','nodes':'0-'}"),
	  "linux.memoryPolicy.nodes: invalid node list \"0-\": bad syntax at \"\"" },
	{ LINUX("'memoryPolicy':{'mode':'MPOL_BIND','nodes':'3-1'}"),
	  "linux.memoryPolicy.nodes: invalid node list \"3-1\": range 3-1 is reversed" },
	{ LINUX("'memoryPolicy':{'mode':'MPOL_BIND','nodes':'1024'}"),
	  "linux.memoryPolicy.nodes: invalid node list \"1024\": 1024 is above 1023" },
	{ LINUX("'memoryPolicy':{'mode':'MPOL_BIND','nodes':'0 1'}"),
	  "linux.memoryPolicy.nodes: invalid node list \"0 1\": bad syntax at \"1\"" },
	{ LINUX("'memoryPolicy':{'mode':'MPOL_BIND'}"), "linux.memoryPolicy.nodes: MPOL_BIND needs at least one node" },
	{ LINUX("'memoryPolicy':{'mode':'MPOL_INTERLEAVE','nodes':''}"),
	  "linux.memoryPolicy.nodes: MPOL_INTERLEAVE needs at least one node" },
	{ LINUX("'memoryPolicy':{'mode':'MPOL_WEIGHTED_INTERLEAVE'}"),
	  "linux.memoryPolicy.nodes: MPOL_WEIGHTED_INTERLEAVE needs at least one node" },
	{ LINUX("'memoryPolicy':{'mode':'MPOL_PREFERRED_MANY','nodes':',,'}"),
	  "linux.memoryPolicy.nodes: MPOL_PREFERRED_MANY needs at least one node" },
	{ LINUX("'memoryPolicy':{'mode':'MPOL_LOCAL','nodes':'0'}"), "linux.memoryPolicy.nodes: MPOL_LOCAL takes no nodes" },
	{ LINUX("'memoryPolicy':{'mode':'MPOL_DEFAULT','nodes':'0'}"), "linux.memoryPolicy.nodes: MPOL_DEFAULT takes no nodes" },
	{ LINUX("'memoryPolicy':{'mode':'MPOL_DEFAULT','flags':['MPOL_F_STATIC_NODES']}"),
	  "linux.memoryPolicy.flags: MPOL_DEFAULT takes no flags" },
	{ LINUX("'memoryPolicy':{'mode':'MPOL_LOCAL','flags':['MPOL_F_RELATIVE_NODES']}"),
	  "linux.memoryPolicy.flags: MPOL_LOCAL takes no node flags" },
	{ LINUX("'memoryPolicy':{'mode':'MPOL_PREFERRED','flags':['MPOL_F_STATIC_NODES']}"),
	  "linux.memoryPolicy.nodes: MPOL_PREFERRED with MPOL_F_STATIC_NODES or MPOL_F_RELATIVE_NODES needs a node" },
	{ LINUX("'memoryPolicy':{'mode':'MPOL_BIND','nodes':'0','flags':['MPOL_F_STATIC_NODES','MPOL_F_RELATIVE_NODES']}"),
	  "linux.memoryPolicy.flags: MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES exclude each other" },
	{ LINUX("'memoryPolicy':{'mode':'MPOL_INTERLEAVE','nodes':'0','flags':['MPOL_F_NUMA_BALANCING']}"),
	  "linux.memoryPolicy.flags: MPOL_F_NUMA_BALANCING works only with MPOL_BIND or MPOL_PREFERRED_MANY, "
	  "not MPOL_INTERLEAVE" },
	{ LINUX("'memoryPolicy':{'mode':'MPOL_LOCAL','flags':['MPOL_F_NUMA_BALANCING']}"),
	  "linux.memoryPolicy.flags: MPOL_F_NUMA_BALANCING works only with MPOL_BIND or MPOL_PREFERRED_MANY" },
	{ LINUX("'personality':{'domain':'LINUX64'}"),
	  "linux.personality.domain: unknown personality domain \"LINUX64\"" },
	{ LINUX("'personality':{'domain':'LINUX','flags':['X']}"),
	  "linux.personality.flags[0]: unsupported personality flag \"X\"" },
	{ LINUX("'intelRdt':{'memBwSchema':'L3:0=7f0'}"), "linux.intelRdt.memBwSchema: must start with \"MB:\"" },
	{ LINUX("'intelRdt':{'closID':'a/b'}"), "linux.intelRdt.closID: \"a/b\" is not a resctrl group name" },
	{ LINUX("'intelRdt':{'closID':'..'}"), "linux.intelRdt.closID: \"..\" is not a resctrl group name" },
	{ LINUX("'intelRdt':{'closID':''}"), "linux.intelRdt.closID: \"\" is not a resctrl group name" },
	{ LINUX("'intelRdt':{'schemata':['L3:0=1\\nMB:0=2']}"), "linux.intelRdt.schemata[0]: must not contain a newline" },
	/* resources */
	{ RES("'memory':{'limit':'1'}"), "linux.resources.memory.limit: must be a 64-bit integer" },
	{ RES("'memory':{'swappiness':101}"), "linux.resources.memory.swappiness: must be an integer between 0 and 100" },
	{ RES("'pids':{}"), "linux.resources.pids.limit: required" },
	{ RES("'cpu':{'shares':-1}"), "linux.resources.cpu.shares: must be an unsigned 64-bit integer" },
	{ RES("'cpu':{'cpus':2}"), "linux.resources.cpu.cpus: must be a string" },
	{ RES("'blockIO':{'weight':65536}"), "linux.resources.blockIO.weight: must be an unsigned 16-bit integer" },
	{ RES("'blockIO':{'weight':1001}"), "linux.resources.blockIO.weight: 1001 is out of range (1 to 1000, 0 to leave unset)" },
	{ RES("'blockIO':{'weightDevice':[{'major':8,'minor':0,'leafWeight':2000}]}"),
	  "linux.resources.blockIO.weightDevice[0].leafWeight: 2000 is out of range (1 to 1000, 0 to leave unset)" },
	{ RES("'blockIO':{'weightDevice':[{'major':8,'minor':0}]}"),
	  "linux.resources.blockIO.weightDevice[0]: needs weight or leafWeight" },
	{ RES("'blockIO':{'throttleReadBpsDevice':[{'major':8,'minor':0}]}"),
	  "linux.resources.blockIO.throttleReadBpsDevice[0].rate: required" },
	{ RES("'blockIO':{'throttleWriteIOPSDevice':[{'minor':0,'rate':1}]}"),
	  "linux.resources.blockIO.throttleWriteIOPSDevice[0].major: required" },
	{ RES("'devices':[{'access':'rwm'}]"), "linux.resources.devices[0].allow: required" },
	{ RES("'devices':[{'allow':true,'access':'rwx'}]"),
	  "linux.resources.devices[0].access: must be a combination of" },
	{ RES("'devices':[{'allow':true,'type':'p'}]"), "linux.resources.devices[0].type: must be \"a\", \"b\" or \"c\"" },
	{ RES("'hugepageLimits':[{'pageSize':'64kB','limit':1}]"),
	  "linux.resources.hugepageLimits[0].pageSize: invalid page size \"64kB\"" },
	{ RES("'hugepageLimits':[{'pageSize':'2MB'}]"), "linux.resources.hugepageLimits[0].limit: required" },
	{ RES("'rdma':{'mlx5_1':{}}"), "linux.resources.rdma.mlx5_1: needs hcaHandles or hcaObjects" },
	{ RES("'network':{'priorities':[{'name':'eth0'}]}"), "linux.resources.network.priorities[0].priority: required" },
	{ RES("'unified':{'memory.max':1}"), "linux.resources.unified[\"memory.max\"]: must be a string" },
	/* seccomp */
	{ LINUX("'seccomp':{}"), "linux.seccomp.defaultAction: required" },
	{ LINUX("'seccomp':{'defaultAction':'SCMP_ACT_NOPE'}"),
	  "linux.seccomp.defaultAction: unknown seccomp action \"SCMP_ACT_NOPE\"" },
	{ LINUX("'seccomp':{'defaultAction':'SCMP_ACT_KILL','defaultErrnoRet':1}"),
	  "linux.seccomp.defaultErrnoRet: not allowed with SCMP_ACT_KILL" },
	{ SECCOMP(",'syscalls':[{'names':['getcwd'],'action':'SCMP_ACT_FOO'}]"),
	  "linux.seccomp.syscalls[0].action: unknown seccomp action \"SCMP_ACT_FOO\"" },
	{ SECCOMP(",'syscalls':[{'names':[],'action':'SCMP_ACT_ERRNO'}]"),
	  "linux.seccomp.syscalls[0].names: must be a non-empty array of strings" },
	{ SECCOMP(",'syscalls':[{'names':['getcwd']}]"), "linux.seccomp.syscalls[0].action: required" },
	{ SECCOMP(",'syscalls':[{'names':['getcwd'],'action':'SCMP_ACT_ALLOW','errnoRet':1}]"),
	  "linux.seccomp.syscalls[0].errnoRet: not allowed with SCMP_ACT_ALLOW" },
	{ SECCOMP(",'syscalls':[{'names':['x'],'action':'SCMP_ACT_ERRNO','args':[{'index':0,'value':1,'op':'SCMP_CMP_X'}]}]"),
	  "linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator \"SCMP_CMP_X\"" },
	{ SECCOMP(",'syscalls':[{'names':['x'],'action':'SCMP_ACT_ERRNO','args':[{'index':6,'value':1,'op':'SCMP_CMP_EQ'}]}]"),
	  "linux.seccomp.syscalls[0].args[0].index: must be an integer between 0 and 5" },
	{ SECCOMP(",'syscalls':[{'names':['x'],'action':'SCMP_ACT_ERRNO','args':[{'index':0,'op':'SCMP_CMP_EQ'}]}]"),
	  "linux.seccomp.syscalls[0].args[0].value: required" },
	{ SECCOMP(",'architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_FOO']"),
	  "linux.seccomp.architectures[1]: unknown architecture \"SCMP_ARCH_FOO\"" },
	{ SECCOMP(",'flags':['SECCOMP_FILTER_FLAG_X']"), "linux.seccomp.flags[0]: unknown seccomp flag" },
	{ SECCOMP(",'listenerMetadata':'x'"), "linux.seccomp.listenerMetadata: requires listenerPath" },
};

static void test_bad_inline(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(bad_cases); i++)
		expect_error(bad_cases[i].json, bad_cases[i].prefix);
}

static const char full_config[] =
	"{'ociVersion':'1.3.0','root':{'path':'rootfs','readonly':true},"
	"'hostname':'box','domainname':'example.org',"
	"'windows':{'layerFolders':['C:\\\\x']},'unknownThing':{'a':[1,2]},"
	"'mounts':[{'destination':'/proc','type':'proc','source':'proc'},"
	"  {'destination':'/data','source':'/srv/data','options':['rbind','ro','nosuid'],"
	"   'uidMappings':[{'containerID':0,'hostID':1000,'size':10}],"
	"   'gidMappings':[{'containerID':0,'hostID':2000,'size':20}]}],"
	"'process':{'terminal':true,'consoleSize':{'height':24,'width':80},'cwd':'/srv',"
	"  'args':['/bin/echo','hi'],'env':['A=1','B=2'],"
	"  'user':{'uid':1000,'gid':100,'umask':18,'additionalGids':[5,2147483647]},"
	"  'capabilities':{'bounding':['CAP_KILL','CAP_FOO'],'ambient':[]},"
	"  'rlimits':[{'type':'RLIMIT_NOFILE','soft':1024,'hard':4096},"
	"    {'type':'RLIMIT_RTTIME','soft':18446744073709551615,'hard':18446744073709551615},"
	"    {'type':'RLIMIT_CORE','soft':9223372036854775808,'hard':18446744073709551614}],"
	"  'noNewPrivileges':true,'oomScoreAdj':-500,'apparmorProfile':'p','selinuxLabel':null,"
	"  'scheduler':{'policy':'SCHED_DEADLINE','nice':-5,'priority':3,"
	"    'flags':['SCHED_FLAG_RESET_ON_FORK','SCHED_FLAG_RECLAIM'],'runtime':1,'deadline':2,'period':3},"
	"  'ioPriority':{'class':'IOPRIO_CLASS_IDLE','priority':7},"
	"  'execCPUAffinity':{'initial':'0-3, 7','final':'1'}},"
	"'hooks':{'prestart':[{'path':'/usr/bin/a','args':['a','-x'],'env':['K=V'],'timeout':5}],"
	"  'poststop':[{'path':'/usr/bin/b'}]},"
	"'annotations':{'org.example/key':'v'},"
	"'linux':{'namespaces':[{'type':'pid'},{'type':'network','path':'/var/run/netns/x'},"
	"    {'type':'mount'},{'type':'ipc'},{'type':'uts','path':''},{'type':'user'},{'type':'cgroup'},{'type':'time'}],"
	"  'uidMappings':[{'containerID':0,'hostID':100000,'size':65536}],"
	"  'gidMappings':[{'containerID':0,'hostID':200000,'size':65536}],"
	"  'timeOffsets':{'monotonic':{'secs':-86400,'nanosecs':5},'boottime':{'secs':1}},"
	"  'devices':[{'path':'/dev/fuse','type':'c','major':10,'minor':229,'fileMode':438,'uid':0,'gid':5},"
	"    {'path':'/dev/fifo','type':'p'}],"
	"  'netDevices':{'eth1':{'name':'ceth1'},'ens4':{}},"
	"  'cgroupsPath':'/ocirt/x','rootfsPropagation':'rslave',"
	"  'sysctl':{'net.ipv4.ip_forward':'1','kernel.msgmax':'8192','kernel.domainname':'example.org'},"
	"  'maskedPaths':['/proc/kcore'],'readonlyPaths':['/proc/sys','/proc/bus'],'mountLabel':'l',"
	"  'intelRdt':{'closID':'c','l3CacheSchema':'L3:0=f','memBwSchema':'MB:0=20','schemata':['L2:0=f'],"
	"    'enableMonitoring':true},"
	"  'memoryPolicy':{'mode':'MPOL_INTERLEAVE','nodes':'0-1','flags':['MPOL_F_STATIC_NODES']},"
	"  'personality':{'domain':'LINUX32','flags':[]},"
	"  'seccomp':{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':38,"
	"    'architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_X86'],'flags':['SECCOMP_FILTER_FLAG_LOG'],"
	"    'listenerPath':'/run/agent.sock','listenerMetadata':'m',"
	"    'syscalls':[{'names':['read','write'],'action':'SCMP_ACT_ALLOW'},"
	"      {'names':['personality'],'action':'SCMP_ACT_ERRNO','errnoRet':1,"
	"       'args':[{'index':0,'value':18446744073709551615,'op':'SCMP_CMP_NE'},"
	"               {'index':1,'value':15,'valueTwo':5,'op':'SCMP_CMP_MASKED_EQ'}]}]},"
	"  'resources':{'devices':[{'allow':false,'access':'rwm'},{'allow':true,'type':'c','major':1,'minor':3,'access':'rw'}],"
	"    'memory':{'limit':536870912,'reservation':-1,'swap':1073741824,'kernel':-1,'swappiness':18446744073709551615,"
	"      'disableOOMKiller':true,'checkBeforeUpdate':false},"
	"    'cpu':{'shares':1024,'quota':-1,'burst':10,'period':100000,'realtimeRuntime':950000,"
	"      'realtimePeriod':1000000,'cpus':'2-3','mems':'0','idle':1},"
	"    'pids':{'limit':-1},"
	"    'blockIO':{'weight':10,'weightDevice':[{'major':8,'minor':0,'leafWeight':300}],"
	"      'throttleReadBpsDevice':[{'major':8,'minor':0,'rate':600}],"
	"      'throttleWriteIOPSDevice':[{'major':8,'minor':16,'rate':300},{'major':8,'minor':32,'rate':18446744073709551615}]},"
	"    'hugepageLimits':[{'pageSize':'2MB','limit':9223372036854772000}],"
	"    'network':{'classID':1048577,'priorities':[{'name':'eth0','priority':500}]},"
	"    'rdma':{'mlx5_1':{'hcaHandles':3,'hcaObjects':10000},'mlx4_0':{'hcaObjects':1000}},"
	"    'unified':{'memory.high':'max','io.weight':'100'}}}}";

static bool strv_is(char **v, size_t n, const char *const *want)
{
	size_t i = 0;
	for (; want[i]; i++)
		if (i >= n || !v || !v[i] || strcmp(v[i], want[i]))
			return false;
	return i == n && (!v || v[n] == NULL);
}

static void check_full_top(const struct spec *s)
{
	ok(!strcmp(s->oci_version, "1.3.0") && !strcmp(s->root_path, "rootfs") && s->root_readonly,
	   "version and root");
	ok(!strcmp(s->hostname, "box") && !strcmp(s->domainname, "example.org"), "hostname and domainname");
	ok(s->n_mounts == 2 && !strcmp(s->mounts[0].destination, "/proc") && !strcmp(s->mounts[0].type, "proc") &&
	   s->mounts[0].options == NULL && s->mounts[0].n_options == 0, "mount without options");
	const struct spec_mount *m = &s->mounts[1];
	ok(!strcmp(m->source, "/srv/data") && m->type == NULL &&
	   strv_is(m->options, m->n_options, (const char *const[]){ "rbind", "ro", "nosuid", NULL }),
	   "mount options: NULL-terminated vector with count");
	ok(m->n_uid_mappings == 1 && m->uid_mappings[0].host_id == 1000 && m->uid_mappings[0].size == 10 &&
	   m->n_gid_mappings == 1 && m->gid_mappings[0].host_id == 2000, "mount idmap");
	ok(s->hooks.n_prestart == 1 && !strcmp(s->hooks.prestart[0].path, "/usr/bin/a") &&
	   strv_is(s->hooks.prestart[0].args, s->hooks.prestart[0].n_args, (const char *const[]){ "a", "-x", NULL }) &&
	   strv_is(s->hooks.prestart[0].env, s->hooks.prestart[0].n_env, (const char *const[]){ "K=V", NULL }) &&
	   s->hooks.prestart[0].has_timeout && s->hooks.prestart[0].timeout == 5, "prestart hook");
	ok(s->hooks.n_poststop == 1 && !s->hooks.poststop[0].has_timeout && !s->hooks.poststop[0].args &&
	   s->hooks.n_create_runtime == 0 && s->hooks.create_runtime == NULL, "poststop hook, absent lists");
	ok(s->n_annotations == 1 && !strcmp(s->annotations[0].key, "org.example/key") &&
	   !strcmp(s->annotations[0].value, "v"), "annotations");
}

static void check_full_process(const struct spec *s)
{
	const struct spec_process *p = s->process;
	ok(p && p->terminal && p->has_console_size && p->console_height == 24 && p->console_width == 80,
	   "terminal and console size");
	ok(!strcmp(p->cwd, "/srv") && strv_is(p->args, p->n_args, (const char *const[]){ "/bin/echo", "hi", NULL }) &&
	   strv_is(p->env, p->n_env, (const char *const[]){ "A=1", "B=2", NULL }), "cwd, args, env");
	ok(p->user.uid == 1000 && p->user.gid == 100 && p->user.has_umask && p->user.umask == 18 &&
	   p->user.n_additional_gids == 2 && p->user.additional_gids[1] == 2147483647u, "user");
	ok(p->has_capabilities && strv_is(p->capabilities.bounding, p->capabilities.n_bounding,
					  (const char *const[]){ "CAP_KILL", "CAP_FOO", NULL }) &&
	   p->capabilities.ambient && p->capabilities.n_ambient == 0 && p->capabilities.ambient[0] == NULL &&
	   p->capabilities.effective == NULL, "capabilities as given, empty set vs absent set");
	ok(p->n_rlimits == 3 && p->rlimits[0].resource == RLIMIT_NOFILE && p->rlimits[0].soft == 1024 &&
	   p->rlimits[0].hard == 4096, "rlimit NOFILE");
	ok(p->rlimits[1].resource == RLIMIT_RTTIME && p->rlimits[1].soft == UINT64_MAX &&
	   p->rlimits[1].hard == UINT64_MAX, "rlimit RTTIME unlimited (uint64 above INT64_MAX)");
	ok(p->rlimits[2].resource == RLIMIT_CORE && p->rlimits[2].soft == 9223372036854775808ull &&
	   p->rlimits[2].hard == 18446744073709551614ull, "rlimit boundary values");
	ok(p->no_new_privileges && p->has_oom_score_adj && p->oom_score_adj == -500 &&
	   !strcmp(p->apparmor_profile, "p") && p->selinux_label == NULL, "nnp, oomScoreAdj, labels (null = absent)");
	const struct spec_scheduler *sc = p->scheduler;
	ok(sc && sc->policy_num == 6 && sc->nice == -5 && sc->priority == 3 && sc->flags_mask == 0x3 &&
	   sc->n_flags == 2 && sc->runtime == 1 && sc->deadline == 2 && sc->period == 3, "scheduler");
	ok(p->io_priority && p->io_priority->class_num == 3 && p->io_priority->priority == 7 &&
	   !strcmp(p->io_priority->class, "IOPRIO_CLASS_IDLE"), "ioPriority");
	ok(!strcmp(p->exec_cpu_affinity_initial, "0-3, 7") && !strcmp(p->exec_cpu_affinity_final, "1"),
	   "execCPUAffinity");
	ok(idset_count(&p->exec_cpus_initial) == 5 && idset_has(&p->exec_cpus_initial, 3) &&
	   !idset_has(&p->exec_cpus_initial, 4) && idset_has(&p->exec_cpus_initial, 7) &&
	   idset_count(&p->exec_cpus_final) == 1 && idset_has(&p->exec_cpus_final, 1),
	   "execCPUAffinity parsed into CPU sets");
}

static void check_full_linux(const struct spec *s)
{
	const struct spec_linux *l = s->linux_;
	ok(l && l->n_namespaces == 8, "8 namespaces");
	const struct spec_namespace *net = spec_find_namespace(s, SPEC_NS_NETWORK);
	ok(net && net->clone_flag == CLONE_NEWNET && !strcmp(net->path, "/var/run/netns/x"), "network joined by path");
	ok(spec_find_namespace(s, SPEC_NS_UTS)->path == NULL, "empty namespace path means a new one");
	ok(spec_find_namespace(s, SPEC_NS_TIME)->clone_flag == 0x80 &&
	   spec_find_namespace(s, SPEC_NS_MOUNT)->clone_flag == CLONE_NEWNS &&
	   spec_find_namespace(s, SPEC_NS_USER)->clone_flag == CLONE_NEWUSER &&
	   spec_find_namespace(s, SPEC_NS_CGROUP)->clone_flag == CLONE_NEWCGROUP, "clone flags");
	ok(l->n_uid_mappings == 1 && l->uid_mappings[0].host_id == 100000 && l->uid_mappings[0].size == 65536 &&
	   l->gid_mappings[0].host_id == 200000, "id mappings");
	ok(l->time_monotonic.set && l->time_monotonic.secs == -86400 && l->time_monotonic.nanosecs == 5 &&
	   l->time_boottime.set && l->time_boottime.secs == 1, "time offsets");
	ok(l->n_devices == 2 && l->devices[0].type == 'c' && l->devices[0].major == 10 && l->devices[0].minor == 229 &&
	   l->devices[0].has_file_mode && l->devices[0].file_mode == 438 && l->devices[0].has_gid &&
	   l->devices[0].gid == 5 && l->devices[1].type == 'p' && !l->devices[1].has_uid, "devices");
	ok(l->n_net_devices == 2 && !strcmp(l->net_devices[0].host_name, "eth1") &&
	   !strcmp(l->net_devices[0].name, "ceth1") && l->net_devices[1].name == NULL, "netDevices");
	ok(!strcmp(l->cgroups_path, "/ocirt/x") && l->rootfs_propagation_flags == (MS_SLAVE | MS_REC),
	   "cgroupsPath, rootfsPropagation");
	ok(l->n_sysctl == 3 && !strcmp(l->sysctl[1].key, "kernel.msgmax") && !strcmp(l->sysctl[1].value, "8192"),
	   "sysctl");
	ok(strv_is(l->readonly_paths, l->n_readonly_paths, (const char *const[]){ "/proc/sys", "/proc/bus", NULL }) &&
	   l->n_masked_paths == 1 && !strcmp(l->mount_label, "l"), "paths and mount label");
	ok(l->intel_rdt && !strcmp(l->intel_rdt->mem_bw_schema, "MB:0=20") && l->intel_rdt->n_schemata == 1 &&
	   l->intel_rdt->enable_monitoring, "intelRdt");
	ok(l->memory_policy && l->memory_policy->mode_num == 3 && l->memory_policy->flags_mask == (1u << 15) &&
	   !strcmp(l->memory_policy->nodes, "0-1") && idset_count(&l->memory_policy->node_set) == 2 &&
	   l->memory_policy->node_set.end == 2, "memoryPolicy");
	ok(l->personality && l->personality->persona == PER_LINUX32, "personality");
}

static void check_full_seccomp(const struct spec *s)
{
	const struct spec_seccomp *sc = s->linux_->seccomp;
	ok(sc && !strcmp(sc->default_action, "SCMP_ACT_ERRNO") && sc->has_default_errno_ret &&
	   sc->default_errno_ret == 38, "seccomp default");
	ok(sc->n_architectures == 2 && sc->n_flags == 1 && !strcmp(sc->listener_path, "/run/agent.sock") &&
	   !strcmp(sc->listener_metadata, "m"), "seccomp arches, flags, listener");
	ok(sc->n_syscalls == 2 && strv_is(sc->syscalls[0].names, sc->syscalls[0].n_names,
					  (const char *const[]){ "read", "write", NULL }) &&
	   !sc->syscalls[0].has_errno_ret, "seccomp syscall names");
	const struct spec_seccomp_syscall *sy = &sc->syscalls[1];
	ok(sy->has_errno_ret && sy->errno_ret == 1 && sy->n_args == 2, "seccomp errnoRet");
	ok(sy->args[0].index == 0 && sy->args[0].value == UINT64_MAX && sy->args[0].op_num == SCMP_CMP_NE,
	   "seccomp arg NE with a uint64 value");
	ok(sy->args[1].index == 1 && sy->args[1].value == 15 && sy->args[1].value_two == 5 &&
	   sy->args[1].op_num == SCMP_CMP_MASKED_EQ && !strcmp(sy->args[1].op, "SCMP_CMP_MASKED_EQ"),
	   "seccomp arg MASKED_EQ");
}

static void check_full_resources(const struct spec *s)
{
	const struct spec_resources *r = s->linux_->resources;
	ok(r && r->n_devices == 2 && !r->devices[0].allow && r->devices[0].type == NULL &&
	   !r->devices[0].has_major && r->devices[1].allow && !strcmp(r->devices[1].type, "c") &&
	   r->devices[1].has_minor && r->devices[1].minor == 3 && !strcmp(r->devices[1].access, "rw"),
	   "device cgroup rules");
	const struct spec_memory *m = r->memory;
	ok(m && m->has_limit && m->limit == 536870912 && m->has_reservation && m->reservation == -1 &&
	   m->has_kernel && !m->has_kernel_tcp && !m->has_swappiness && m->has_disable_oom_killer &&
	   m->disable_oom_killer && m->has_check_before_update && !m->has_use_hierarchy,
	   "memory (swappiness 2^64-1 = unset)");
	const struct spec_cpu *c = r->cpu;
	ok(c && c->shares == 1024 && c->has_quota && c->quota == -1 && c->burst == 10 && c->period == 100000 &&
	   c->realtime_runtime == 950000 && c->realtime_period == 1000000 && !strcmp(c->cpus, "2-3") &&
	   c->has_idle && c->idle == 1, "cpu");
	ok(r->has_pids_limit && r->pids_limit == -1, "pids");
	const struct spec_blkio *b = r->block_io;
	ok(b && b->has_weight && b->weight == 10 && !b->has_leaf_weight && b->n_weight_device == 1 &&
	   !b->weight_device[0].has_weight && b->weight_device[0].leaf_weight == 300 &&
	   b->n_throttle_read_bps == 1 && b->throttle_read_bps[0].rate == 600 && b->n_throttle_write_iops == 2 &&
	   b->throttle_write_iops[1].rate == UINT64_MAX && b->n_throttle_write_bps == 0, "blockIO");
	ok(r->n_hugepage_limits == 1 && !strcmp(r->hugepage_limits[0].page_size, "2MB") &&
	   r->hugepage_limits[0].limit == 9223372036854772000ull, "hugepageLimits");
	ok(r->has_net_class_id && r->net_class_id == 1048577 && r->n_net_priorities == 1 &&
	   r->net_priorities[0].priority == 500, "network");
	ok(r->n_rdma == 2 && !strcmp(r->rdma[1].device, "mlx4_0") && !r->rdma[1].has_hca_handles &&
	   r->rdma[1].hca_objects == 1000, "rdma");
	ok(r->n_unified == 2 && !strcmp(r->unified[0].key, "memory.high") && !strcmp(r->unified[0].value, "max"),
	   "unified");
}

static void test_full(void)
{
	struct oerr e;
	struct spec *s = parse(full_config, &e);
	ok(s != NULL, "full config parses%s%s", s ? "" : ": ", s ? "" : e.msg);
	if (!s)
		return;
	check_full_top(s);
	check_full_process(s);
	check_full_linux(s);
	check_full_seccomp(s);
	check_full_resources(s);
	spec_free(s);
}

static void test_small_good(void)
{
	struct oerr e;
	struct spec *s = parse(CFG(",'process':{'cwd':'/','args':['sh'],'consoleSize':{'height':1,'width':2}},"
				   "'mounts':null,'linux':{'rootfsPropagation':'private','namespaces':[]}"), &e);
	ok(s && !s->process->has_console_size && s->mounts == NULL &&
	   s->linux_->rootfs_propagation_flags == (MS_PRIVATE | MS_REC) && s->linux_->resources == NULL,
	   "consoleSize ignored without terminal, null mounts, private propagation is recursive");
	spec_free(s);
	static const char *const props[] = { "shared", "rshared", "slave", "unbindable", "runbindable", "rprivate" };
	static const unsigned long flags[] = { MS_SHARED, MS_SHARED, MS_SLAVE, MS_UNBINDABLE, MS_UNBINDABLE, MS_PRIVATE };
	bool all = true;
	for (size_t i = 0; i < ARRAY_SIZE(props); i++) {
		char json[256];
		snprintf(json, sizeof(json), LINUX("'rootfsPropagation':'%s'"), props[i]);
		s = parse(json, &e);
		all = all && s && s->linux_->rootfs_propagation_flags == (flags[i] | MS_REC);
		spec_free(s);
	}
	ok(all, "every rootfsPropagation value maps to MS_* | MS_REC");
	s = parse(CFG(",'process':{'cwd':'/','args':['sh'],'user':{}}"), &e);
	ok(s && s->process->user.uid == 0 && !s->process->user.has_umask && !s->process->has_oom_score_adj &&
	   !s->process->has_capabilities && s->process->scheduler == NULL, "defaults of an almost empty process");
	spec_free(s);
	s = parse(LINUX("'namespaces':[{'type':'ipc'},{'type':'uts'}],'sysctl':{'kernel.sem':'1 2 3 4',"
			"'fs/mqueue/msg_max':'10','kernel.domainname':'x'}"), &e);
	ok(s != NULL, "namespaced sysctls accepted (dots or slashes)%s%s", s ? "" : ": ", s ? "" : e.msg);
	spec_free(s);
}

static void test_ids(void)
{
	static const char *const bad[] = { "", ".", "..", "a/b", "-x", "_x", "a b", "a\nb", "é", "x:y" };
	struct oerr e;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(&e, 0, sizeof(e));
		int r = spec_validate_container_id(bad[i], &e);
		ok(r == -EINVAL && starts_with(e.msg, "invalid container id \""), "bad id #%zu: %s", i, e.msg);
	}
	ok(spec_validate_container_id("a/b", &e) < 0 && starts_with(e.msg, "invalid container id \"a/b\""),
	   "id named in the message");
	static const char *const good[] = { "a", "0", "abc-DEF_1.2+3", "x..y" };
	bool all = true;
	for (size_t i = 0; i < ARRAY_SIZE(good); i++)
		all = all && spec_validate_container_id(good[i], &e) == 0;
	ok(all, "good ids accepted");
	char longid[1026];
	memset(longid, 'a', sizeof(longid));
	longid[1024] = '\0';
	ok(spec_validate_container_id(longid, &e) == 0, "1024-byte id accepted");
	longid[1024] = 'a';
	longid[1025] = '\0';
	ok(spec_validate_container_id(longid, &e) < 0 && strstr(e.msg, "longer than 1024 bytes"),
	   "1025-byte id refused");
}

static void test_names(void)
{
	static const char *const names[] = { "pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time" };
	bool all = true;
	for (int t = 0; t < SPEC_NS__COUNT; t++)
		all = all && !strcmp(spec_ns_type_name((enum spec_ns_type)t), names[t]);
	ok(all, "spec_ns_type_name");
	struct oerr e;
	struct spec *s = parse(CFG(""), &e);
	ok(s && spec_find_namespace(s, SPEC_NS_PID) == NULL && s->linux_ == NULL && s->process == NULL,
	   "minimal config: no linux, no process");
	spec_free(s);
}

static int write_text(const char *path, const char *text)
{
	struct oerr e;
	return write_file_at(AT_FDCWD, path, text, strlen(text), true, &e);
}

static void test_bundle(void)
{
	char dir[] = "/tmp/test_spec.XXXXXX", path[64];
	if (!mkdtemp(dir)) {
		skip("mkdtemp failed");
		return;
	}
	struct oerr e = { 0 };
	struct spec *s = NULL;
	char want[128];
	snprintf(want, sizeof(want), "open %s/config.json: no such file or directory", dir);
	ok(spec_load_bundle(dir, &s, &e) == -ENOENT && !strcmp(e.msg, want), "missing config.json: %s", e.msg);
	snprintf(path, sizeof(path), "%s/config.json", dir);
	write_text(path, "{\n  \"ociVersion\": \"1.0.0\",\n  ]");
	ok(spec_load_bundle(dir, &s, &e) == -EINVAL && starts_with(e.msg, "config.json: invalid JSON: ") &&
	   strstr(e.msg, " at line 3 column "), "syntax error with file name and position: %s", e.msg);
	write_text(path, "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"rootfs\"},\"process\":{\"cwd\":\"x\",\"args\":[\"a\"]}}");
	ok(spec_load_bundle(dir, &s, &e) == -EINVAL && !strcmp(e.msg, "config.json: process.cwd: must be an absolute path"),
	   "field error with file name: %s", e.msg);
	write_text(path, "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"../rootfs\"}}");
	ok(spec_load_bundle(dir, &s, &e) == 0 && !strcmp(s->root_path, "../rootfs"), "root.path kept as written");
	spec_free(s);
	s = NULL;
	/* Not a regular file, or too large: refused without reading (or waiting). */
	unlink(path);
	if (symlink("/dev/zero", path) == 0) {
		snprintf(want, sizeof(want), "%s: not a regular file (a character device)", path);
		ok(spec_load_bundle(dir, &s, &e) == -EINVAL && !strcmp(e.msg, want), "symlink to /dev/zero: %s", e.msg);
	}
	unlink(path);
	if (mkfifo(path, 0600) == 0) {
		snprintf(want, sizeof(want), "%s: not a regular file (a FIFO)", path);
		ok(spec_load_bundle(dir, &s, &e) == -EINVAL && !strcmp(e.msg, want), "FIFO: %s", e.msg);
	}
	unlink(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0 && ftruncate(fd, (off_t)SPEC_JSON_MAX + 1) == 0) {
		snprintf(want, sizeof(want), "%s: %zu bytes, more than the 16 MiB limit", path, SPEC_JSON_MAX + 1);
		ok(spec_load_bundle(dir, &s, &e) == -EFBIG && !strcmp(e.msg, want), "too large: %s", e.msg);
	}
	if (fd >= 0)
		close(fd);
	unlink(path);
	rmdir(dir);
}

static void test_default_spec(bool rootless)
{
	_cleanup_free_ char *text = spec_default_json(rootless);
	struct oerr e = { 0 };
	struct spec *s = NULL;
	ok(text && spec_parse(text, strlen(text), &s, &e) == 0, "default spec (rootless=%d) parses back%s%s",
	   rootless, s ? "" : ": ", s ? "" : e.msg);
	if (!s)
		return;
	const struct spec_process *p = s->process;
	ok(!strcmp(s->oci_version, SPEC_OCI_VERSION) && !strcmp(s->root_path, "rootfs") && s->root_readonly &&
	   !strcmp(s->hostname, "ocirt"), "default: version, root, hostname");
	ok(p->terminal && !strcmp(p->cwd, "/") && strv_is(p->args, p->n_args, (const char *const[]){ "sh", NULL }) &&
	   p->n_env == 2 && !strcmp(p->env[1], "TERM=xterm") && p->no_new_privileges, "default: process");
	ok(p->capabilities.n_bounding == 3 && p->capabilities.n_effective == 3 && p->capabilities.n_permitted == 3 &&
	   !p->capabilities.inheritable && !p->capabilities.ambient, "default: capabilities");
	ok(p->n_rlimits == 1 && p->rlimits[0].resource == RLIMIT_NOFILE && p->rlimits[0].soft == 1024,
	   "default: rlimits");
	ok(s->n_mounts == 7 && !strcmp(s->mounts[6].destination, "/sys/fs/cgroup") &&
	   !strcmp(s->mounts[2].options[s->mounts[2].n_options - 1], rootless ? "mode=0620" : "gid=5"),
	   "default: mounts");
	ok(s->linux_->n_masked_paths >= 10 && s->linux_->n_readonly_paths == 5, "default: masked/readonly paths");
	if (rootless) {
		const struct spec_namespace *u = spec_find_namespace(s, SPEC_NS_USER);
		ok(u && !spec_find_namespace(s, SPEC_NS_NETWORK) && !spec_find_namespace(s, SPEC_NS_CGROUP) &&
		   s->linux_->n_uid_mappings == 1 && s->linux_->uid_mappings[0].host_id == geteuid() &&
		   s->linux_->gid_mappings[0].host_id == getegid() && s->linux_->resources == NULL &&
		   !strcmp(s->mounts[5].type, "none"), "rootless: user namespace, mappings, no net/cgroup ns");
	} else {
		ok(s->linux_->n_namespaces == 6 && spec_find_namespace(s, SPEC_NS_CGROUP) &&
		   !spec_find_namespace(s, SPEC_NS_USER) && s->linux_->resources &&
		   s->linux_->resources->n_devices == 1 && !s->linux_->resources->devices[0].allow,
		   "default: namespaces, deny-all device rule");
	}
	ok(text && strstr(text, "\n\t\"ociVersion\": ") != NULL, "default: tab-indented like runc's");
	spec_free(s);
}

/* The runtime-spec's own examples. */
static void test_examples(const char *spec_dir)
{
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/schema/test/config/good", spec_dir ? spec_dir : "");
	_cleanup_closedir_ DIR *d = spec_dir ? opendir(dir) : NULL;
	if (!d) {
		skip("runtime-spec examples not found");
		return;
	}
	/* Valid against the schema, refused by a rule the schema cannot say
	 * (runc refuses the same). */
	static const struct {
		const char *file, *msg;
	} refused[] = {
		{ "linux-netdevice.json", "linux.netDevices: requires a network namespace" },
	};
	struct dirent *de;
	int n = 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		const char *want = NULL;
		for (size_t i = 0; i < ARRAY_SIZE(refused); i++)
			if (strcmp(de->d_name, refused[i].file) == 0)
				want = refused[i].msg;
		char path[8192];
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		_cleanup_free_ char *text = NULL;
		size_t len;
		struct oerr e = { 0 };
		struct spec *s = NULL;
		int r = read_file_at(AT_FDCWD, path, &text, &len, &e);
		if (r == 0)
			r = spec_parse(text, len, &s, &e);
		if (want)
			ok(r == -EINVAL && strcmp(e.msg, want) == 0, "good example %s refused: %s", de->d_name,
			   r ? e.msg : "(accepted)");
		else
			ok(r == 0, "good example %s%s%s", de->d_name, r ? ": " : "", r ? e.msg : "");
		spec_free(s);
		n++;
	}
	ok(n >= 5, "found the good examples (%d)", n);

	static const struct {
		const char *file, *prefix;
	} bad[] = {
		{ "invalid-json.json", "invalid JSON: " },
		{ "linux-hugepage.json", "linux.resources.hugepageLimits[0].pageSize: invalid page size \"64kB\"" },
		{ "linux-netdevice.json", "linux.netDevices.eth0.name: must be a string" },
		{ "linux-rdma.json", "linux.resources.rdma.mlx5_1.hcaHandles: must be an unsigned 32-bit integer" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char path[8192];
		snprintf(path, sizeof(path), "%s/schema/test/config/bad/%s", spec_dir, bad[i].file);
		_cleanup_free_ char *text = NULL;
		size_t len;
		struct oerr e = { 0 };
		struct spec *s = NULL;
		int r = read_file_at(AT_FDCWD, path, &text, &len, &e);
		bool good = r == 0 && spec_parse(text, len, &s, &e) == -EINVAL && starts_with(e.msg, bad[i].prefix);
		ok(good, "bad example %s: %s", bad[i].file, e.msg);
		spec_free(s);
	}
}

int main(int argc, char **argv)
{
	const char *spec_dir = argc > 1 ? argv[1] : getenv("OCI_RUNTIME_SPEC_DIR");
	test_examples(spec_dir);
	test_bad_inline();
	test_full();
	test_small_good();
	test_ids();
	test_names();
	test_bundle();
	test_default_spec(false);
	test_default_spec(true);
	printf("1..%d\n", n_test);
	return n_fail ? 1 : 0;
}
