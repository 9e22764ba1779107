/* Fuzz target: pip.conf (the INI reader and pip's reading of it) and uv's
 * settings (uv.toml and pyproject.toml [tool.uv]) from the same bytes. */
#include <stdint.h>
#include <string.h>

#include "extractors/pipconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int ignore(void *ud, const char *section, const char *key, const char *value, uint32_t line)
{
	(void)ud, (void)line;
	/* Touch every string so a dangling one shows under ASan. */
	return (int)(strlen(section) + (key ? strlen(key) + strlen(value) : 0)) < 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	th_pipconf_pip pip;
	th_pipconf_uv uv;
	th_limits lim;
	th_arena a;

	th_limits_init(&lim);
	th_arena_init(&a, 4096);
	memset(&pip, 0, sizeof(pip));
	memset(&uv, 0, sizeof(uv));
	th_pipconf_ini_parse((const char *)data, size, "fuzz.conf", ignore, NULL, &a, NULL);
	th_pipconf_pip_file(&pip, (const char *)data, size, "fuzz.conf", &a, NULL);
	th_pipconf_uv_file(&uv, (const char *)data, size, "uv.toml", "/proj", 0, &lim, &a, NULL);
	th_pipconf_uv_file(&uv, (const char *)data, size, "pyproject.toml", "/proj", 1, &lim, &a, NULL);
	th_arena_release(&a);
	return 0;
}
