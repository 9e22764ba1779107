/* Fuzz target: the manifest readers (pyproject.toml, Pipfile, setup.cfg,
 * requirements), pipenv's Pipfile hash and Poetry's constraint grammar; the
 * first byte of the input picks which (modulo 8: 0 pyproject.toml,
 * 1 Pipfile, 2 setup.cfg, 3 requirements, 4 the Pipfile hash, 5 one Poetry
 * constraint, 6 and 7 pyproject.toml and Pipfile again). Every requirement
 * text the readers make from Poetry/Pipfile tables is parsed too. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/requirement.h"
#include "extractors/manifest.h"
#include "extractors/namedreq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sink(void *ud, const th_decl *d)
{
	th_arena *a = ud;
	th_req r;

	if (d->req)
		(void)th_req_parse(&r, d->req, strlen(d->req), a, NULL);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "pyproject.toml", "Pipfile", "setup.cfg", "requirements-dev.txt" };
	th_limits lim;
	th_arena a;
	unsigned mode;

	if (size == 0)
		return 0;
	mode = data[0] % 8;
	th_limits_init(&lim);
	th_arena_init(&a, 4096);
	if (mode == 4) {
		char hex[65];
		th_manifest_pipfile_hash(hex, (const char *)data + 1, size - 1, "fuzz", &lim, &a, NULL);
	} else if (mode == 5) {
		char *s = malloc(size);
		const char *spec;
		if (s) {
			memcpy(s, data + 1, size - 1);
			s[size - 1] = '\0';
			th_namedreq_poetry_spec(&spec, s, "fuzz", &a, NULL);
			free(s);
		}
	} else {
		th_manifest_read(names[mode % 4 == 0 ? 0 : mode % 4 == 1 ? 1 : mode % 4], (const char *)data + 1,
				 size - 1, "fuzz", NULL, sink, &a, &lim, &a, NULL);
	}
	th_arena_release(&a);
	return 0;
}
