/* libFuzzer target: any byte string through the config.json parser must come
 * back as a spec or an error, without a crash, a leak or undefined behaviour. */
#include "oci/spec.h"
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oerr e = { 0 };
	struct spec *s = NULL;
	if (spec_parse((const char *)data, size, &s, &e) == 0)
		spec_free(s);
	return 0;
}
