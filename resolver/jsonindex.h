/*
 * jsonindex — reads an index in resolvelib's test format into the in-memory
 * provider model: {name: {version: {"dependencies": [PEP 508...],
 * "requires_python": "...", "yanked": bool}}} (null for an empty entry).
 *
 * Versions that are not PEP 440 are skipped, as pip skips them; names are
 * canonicalised and entries whose names canonicalise alike are merged in
 * document order; scalar top-level values (annotations such as
 * "needs_optimistic": true in resolvelib's test indexes) are skipped. Dependency strings are kept as text and parsed when the
 * solver first asks for them. Size and depth are bounded by the limits.
 */
#ifndef TH_JSONINDEX_H
#define TH_JSONINDEX_H

#include <stddef.h>

#include "core/error.h"
#include "core/limits.h"
#include "resolver/provider.h"

/* Adds every version of (data, len) to m and sorts its projects. `what`
 * names the input in errors. */
int th_jsonindex_load(th_provider_mem *m, const char *data, size_t len, const th_limits *lim,
		      const char *what, th_error *err);

/* Reads the file at path (bounded by limits.json_bytes) and loads it. */
int th_jsonindex_load_file(th_provider_mem *m, const char *path, const th_limits *lim, th_error *err);

#endif
