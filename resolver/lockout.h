/*
 * lockout — the writers of `thoth advise` results:
 *   pylock         PEP 751 pylock.toml (lock-version 1.0): the target as the
 *                  one environment, [[packages]] with index, wheels (url,
 *                  size, upload-time, hashes) and sdist, best stack only;
 *   requirements   pins with --hash lines for every file installable on the
 *                  target whose hash is known (sha256/384/512), best stack;
 *   pipfile-lock   Pipfile.lock (pipfile-spec 6): _meta (the manifests'
 *                  sha256, the target's python_version, the indexes used)
 *                  and the pins under "default", best stack;
 *   json           {"version": 1, "type", "ok", "stacks": [{"score",
 *                  "packages": [{"name", "version", ...}], "justification"}],
 *                  "environment": {...}, "requirements": [...]}: every stack
 *                  (and the explanation when there is none);
 *   table          each pin with what required it and why this version.
 * Output is deterministic for the same advice (no times, no absolute paths
 * beyond the index URLs the KB recorded). Strings are escaped for their
 * format; a pin without any known hash is written without one (pylock: an
 * empty hashes table is refused by installers, so such files are left out
 * and the package keeps only its version).
 */
#ifndef TH_LOCKOUT_H
#define TH_LOCKOUT_H

#include "core/buf.h"
#include "core/error.h"
#include "resolver/advise.h"

typedef enum th_lockfmt {
	TH_LOCKFMT_TABLE,
	TH_LOCKFMT_JSON,
	TH_LOCKFMT_PYLOCK,
	TH_LOCKFMT_REQUIREMENTS,
	TH_LOCKFMT_PIPFILE_LOCK
} th_lockfmt;

/* "table", "json", "pylock", "requirements", "pipfile-lock"; -1 when unknown. */
int th_lockfmt_parse(const char *s);

/* Appends the advice in format f. The lock formats need a stack (a->ok);
 * table and json also describe a failure. */
int th_lockout_write(th_buf *out, const th_advice *a, th_lockfmt f, th_error *err);

#endif
