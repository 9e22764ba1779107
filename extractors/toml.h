/*
 * toml — a TOML 1.0 reader for the manifests source analysis reads
 * (pyproject.toml, Pipfile, and later the lock files). No TOML library is
 * packaged for Debian in C (see README "Dependencies"), so this is our own:
 * a recursive-descent reader into a tree of values in the caller's arena.
 *
 * It reads all of TOML 1.0 that manifests use — tables, arrays of tables,
 * dotted and quoted keys, the four string forms with their escapes,
 * integers (with bases and '_'), floats, booleans, arrays over several
 * lines, inline tables — and refuses a key defined twice. Date-times are kept
 * as their text. Nesting is bounded by limits.json_depth (same reason: the
 * stack), size by limits.file_bytes. Every value records its line.
 */
#ifndef TH_TOML_H
#define TH_TOML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/limits.h"

typedef enum th_toml_type {
	TH_TOML_TABLE = 0,
	TH_TOML_ARRAY,
	TH_TOML_STRING,
	TH_TOML_INT,
	TH_TOML_FLOAT,
	TH_TOML_BOOL,
	TH_TOML_DATETIME /* text in str */
} th_toml_type;

typedef struct th_toml th_toml;
struct th_toml {
	th_toml_type type;
	uint32_t line;
	const char *str;  /* strings and date-times (arena, NUL-terminated; may hold NUL via \u0000: use len) */
	size_t len;
	int64_t i;
	double f;
	bool b;
	/* tables: keys[k] -> vals[k]; arrays: vals[k] */
	const char **keys;
	th_toml **vals;
	size_t n, cap;
	unsigned flags;   /* private: how a table was defined */
};

int th_toml_parse(th_toml **out, const char *s, size_t len, const char *what, const th_limits *lim, th_arena *a,
		  th_error *err);

/* Lookups accept NULL and return NULL on a missing key or a wrong type. */
const th_toml *th_toml_get(const th_toml *table, const char *key);
/* "tool.poetry.dependencies": keys separated by '.', no quoting. */
const th_toml *th_toml_path(const th_toml *table, const char *dotted);
/* NULL unless a string. */
const char *th_toml_str(const th_toml *v);

#endif
