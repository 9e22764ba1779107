/*
 * sarif — a SARIF 2.1.0 log writer for the commands that report findings
 * (check, scan repo): one run, thoth as the tool with its
 * rules, results with a level, a message, an optional location relative to
 * the SRCROOT base (the scanned project), stable partialFingerprints and
 * suppressions.
 *
 * The writer streams into a th_jw: th_sarif_begin, then th_sarif_add for
 * each result, then th_sarif_end; th_jw_finish reports any write error.
 * Absolute paths are written as file:// URIs without a base (SARIF wants
 * URIs; relative ones are resolved against SRCROOT).
 */
#ifndef TH_SARIF_H
#define TH_SARIF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/json.h"

typedef struct th_sarif_rule {
	const char *id;
	const char *short_text; /* shortDescription */
	const char *help;       /* help text (the fix), or NULL */
	const char *level;      /* default level: error | warning | note */
} th_sarif_rule;

typedef struct th_sarif_result {
	const char *rule_id;
	const char *level; /* error | warning | note */
	const char *message;
	const char *uri;          /* relative to SRCROOT, or absolute; NULL: no location */
	uint32_t line, col;       /* 0: unknown */
	const char *fingerprint;  /* partialFingerprints["thoth/v1"], or NULL */
	const char *suppressed;   /* NULL, or "inSource" / "external" */
	const char *const *props; /* key, value pairs for properties, or NULL */
	size_t nprops;
} th_sarif_result;

/* root_text describes SRCROOT ("the checked project"). */
void th_sarif_begin(th_jw *w, const char *version, const th_sarif_rule *rules, size_t nrules, const char *root_text);
void th_sarif_add(th_jw *w, const th_sarif_result *r);
void th_sarif_end(th_jw *w);

#endif
