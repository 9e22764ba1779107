/*
 * rules_embedded — the rule files of rules/ compiled into the binary, so an
 * installed thoth needs no data files. The table is generated at build time
 * (cmake/Embed.cmake, thoth_embed_rules, writes rules_embedded.c in the build tree) from
 * every .yaml file under rules/ but the import-name tables (rules/import-names*,
 * which are not prescriptions), in path order. analyzer/knowledge reads it.
 */
#ifndef TH_RULES_EMBEDDED_H
#define TH_RULES_EMBEDDED_H

#include <stddef.h>

typedef struct th_rules_embedded_file {
	const char *path; /* relative to rules/: "api/numpy.yaml" */
	const char *data; /* the file's bytes (NUL-terminated, len excludes it) */
	size_t len;
} th_rules_embedded_file;

extern const th_rules_embedded_file th_rules_embedded[];
extern const size_t th_rules_embedded_n;

#endif
