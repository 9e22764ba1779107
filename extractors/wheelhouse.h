/*
 * wheelhouse — one distribution file of a wheelhouse (pip's --find-links
 * directory): the sha256 of its bytes, its size, and its core metadata, read
 * from inside the archive: a wheel's "<name>-<version>.dist-info/METADATA",
 * an sdist's "<name>-<version>/PKG-INFO". Deciding what the file name means
 * (core/wheelname) and what the metadata says (core/metadata) is the
 * importer's job; this module only gets the bytes out, bounded by
 * limits.metadata_bytes.
 *
 * A wheel's "X.dist-info/top_level.txt" and "X.dist-info/RECORD" come out
 * in the same pass over the archive (what it provides to `import`:
 * extractors/importnames reads them). Only the archive's directory and
 * these three members are read, so this costs about what the metadata alone
 * did (bench/README.md, kb_import).
 */
#ifndef TH_WHEELHOUSE_H
#define TH_WHEELHOUSE_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/limits.h"

typedef struct th_wheelhouse_file {
	char sha256[TH_SHA256_HEX];
	uint64_t size;
	const char *metadata; /* arena, NUL-terminated; NULL when the archive has none */
	size_t metadata_len;
	const char *top_level; /* arena; NULL when absent (and for sdists) */
	size_t top_level_len;
	const char *record;    /* arena; NULL when absent (and for sdists) */
	size_t record_len;
} th_wheelhouse_file;

/* is_wheel: 1 for a .whl (look for X.dist-info/METADATA at
 * the top), 0 for an sdist (look for X/PKG-INFO). */
int th_wheelhouse_read(th_wheelhouse_file *out, const char *path, int is_wheel, const th_limits *lim,
		       th_arena *a, th_error *err);

#endif
