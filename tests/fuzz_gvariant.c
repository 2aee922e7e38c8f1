/* libFuzzer target: any text through the GVariant reader of the
 * org.systemd.property.* annotations (lib/cgroup/cgroup_sdvariant.c) must
 * come back as arguments or an error, without a crash, a leak or undefined
 * behaviour; and the arguments must be a signature and values for it. */
#include "lib/cgroup/cgroup_systemd.h"
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	struct cg_sd_props p = { 0 };
	char why[128];
	if (cg_sd_gvariant(text, &p, why, sizeof(why)) == 0 && (p.n < 1 || !p.v[0][0]))
		abort();
	cg_sd_props_free(&p);
	free(text);
	return 0;
}
