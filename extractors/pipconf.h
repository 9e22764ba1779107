/*
 * pipconf — the package indexes a user has already configured for pip
 * (pip.conf, PIP_* variables) or uv (uv.toml, pyproject.toml [tool.uv],
 * UV_* variables), as one ordered list: what thoth uses when the command line
 * names no index.
 *
 * Two layers:
 * - pure parsers of bytes: th_pipconf_ini_parse (the INI dialect pip reads
 *   through Python's configparser: sections, `key = value` / `key: value`,
 *   indented continuation lines, '#'/';' comment lines, a DEFAULT section
 *   seen by every section, duplicate sections or keys refused) and the pip /
 *   uv interpretations of one file (th_pipconf_pip_file, th_pipconf_uv_file,
 *   the latter over extractors/toml);
 * - th_pipconf_load, which finds the files where pip and uv look for them on
 *   Linux, reads them (bounded by limits.file_bytes) and merges them with the
 *   environment the way each tool does. It never reads the process
 *   environment itself: th_pipconf_env_from_process does, once, so tests
 *   point HOME, XDG_CONFIG_HOME and the system directory at their own files.
 *
 * The order of the result is a priority (first = best):
 * - uv: UV_INDEX, UV_EXTRA_INDEX_URL (the environment stands for uv's
 *   command line, which comes first), then the files' [[index]] tables
 *   (project before user before system), then their extra-index-urls, and
 *   the default index last (UV_DEFAULT_INDEX, else UV_INDEX_URL, else the
 *   first `default = true` table, else index-url), as uv orders them;
 * - pip: index-url, then each extra-index-url. pip itself gives them no
 *   order (it merges all candidates); thoth does, so a public index cannot
 *   shadow a private one (dependency confusion).
 * uv settings are used when any names an index, else pip's. The public
 * default index that pip and uv fall back to is NOT added: thoth asks only
 * the indexes the user wrote down. A URL listed twice is kept once, at its
 * best place.
 *
 * Every string in a result lives in the caller's arena.
 */
#ifndef TH_PIPCONF_H
#define TH_PIPCONF_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/limits.h"

/* ---- INI ---- */

/* One key of one section, in file order. Keys are lower-cased (as
 * configparser does); values are stripped, continuation lines joined with
 * '\n'. Keys of [DEFAULT] are reported with section "DEFAULT". Return
 * non-zero to stop (returned as is). */
typedef int (*th_pipconf_ini_fn)(void *ud, const char *section, const char *key, const char *value, uint32_t line);

/* `what` names the input in messages ("FILE:LINE: ..."). Errors
 * (TH_ERR_INVALID): a key before any section, a line that is neither a
 * section, a key nor a continuation, a section or a key given twice in one
 * section, an unterminated section header, a NUL byte. */
int th_pipconf_ini_parse(const char *data, size_t len, const char *what, th_pipconf_ini_fn fn, void *ud, th_arena *a,
			 th_error *err);

/* ---- results ---- */

typedef struct th_pipconf_index {
	const char *name;    /* uv's index name; NULL when unnamed (pip's never have one) */
	const char *url;     /* as written; a relative uv path made absolute against its file's directory */
	int is_default;      /* uv's default index / pip's index-url */
	int explicit_only;   /* uv `explicit = true` */
	const char *origin;  /* the file or variable it came from */
} th_pipconf_index;

typedef enum th_pipconf_tool { TH_PIPCONF_NONE = 0, TH_PIPCONF_PIP, TH_PIPCONF_UV } th_pipconf_tool;

typedef struct th_pipconf {
	th_pipconf_tool tool;    /* whose settings these are */
	th_pipconf_index *idx;   /* best first */
	size_t n;
	int no_index;            /* pip's no-index / uv's no-index was set: nothing is to be asked */
} th_pipconf;

/* ---- interpreting one file (pure) ---- */

/* What one pip.conf says, merged into the running state (a later file
 * overrides an earlier one key by key; [install] overrides [global]). */
typedef struct th_pipconf_pip {
	const char *index_url, *index_url_origin;   /* [global] and [DEFAULT] */
	const char *extra, *extra_origin;           /* whitespace-separated URLs */
	const char *no_index;
	const char *i_index_url, *i_index_url_origin; /* [install] */
	const char *i_extra, *i_extra_origin;
	const char *i_no_index;
} th_pipconf_pip;

int th_pipconf_pip_file(th_pipconf_pip *st, const char *data, size_t len, const char *what, th_arena *a,
			th_error *err);

/* What one uv.toml (pyproject = 0) or pyproject.toml's [tool.uv]
 * (pyproject = 1) says, appended to the running state: [[index]] tables,
 * index-url, extra-index-url, no-index. Wrong types are errors naming the
 * file and line. A file's relative index paths resolve against `dir`. */
typedef struct th_pipconf_uv {
	th_pipconf_index *idx;  /* [[index]] tables of all files, in order */
	size_t n, cap;
	const char *index_url, *index_url_origin; /* the first file that sets it wins (project over user) */
	th_pipconf_index *extra; /* extra-index-url of all files, concatenated */
	size_t nextra, capextra;
	int no_index, no_index_set;
} th_pipconf_uv;

int th_pipconf_uv_file(th_pipconf_uv *st, const char *data, size_t len, const char *what, const char *dir,
		       int pyproject, const th_limits *lim, th_arena *a, th_error *err);

/* ---- finding and merging ---- */

/* The environment pipconf looks at. NULL fields are unset. */
typedef struct th_pipconf_env {
	const char *home, *xdg_config_home, *xdg_config_dirs, *virtual_env;
	const char *sysconfdir;  /* stands for /etc (THOTH_SYSCONFDIR; for tests and chroots) */
	const char *pip_config_file, *pip_index_url, *pip_extra_index_url, *pip_no_index;
	const char *uv_config_file, *uv_no_config, *uv_index, *uv_default_index, *uv_index_url, *uv_extra_index_url,
		*uv_no_index;
} th_pipconf_env;

/* Fills env from the process environment (getenv; strings borrowed). */
void th_pipconf_env_from_process(th_pipconf_env *out);

/* Reads the configuration:
 * - uv: UV_CONFIG_FILE alone when set; else project_dir's uv.toml, or its
 *   pyproject.toml [tool.uv] when there is no uv.toml; the user's
 *   $XDG_CONFIG_HOME/uv/uv.toml (~/.config/uv/uv.toml); the system's
 *   uv/uv.toml under each $XDG_CONFIG_DIRS (SYSCONFDIR/xdg), else
 *   SYSCONFDIR/uv/uv.toml. UV_NO_CONFIG: no file.
 * - pip: SYSCONFDIR/xdg/pip/pip.conf (or each $XDG_CONFIG_DIRS/pip/pip.conf),
 *   SYSCONFDIR/pip.conf, then ~/.pip/pip.conf and
 *   $XDG_CONFIG_HOME/pip/pip.conf (~/.config/pip/pip.conf) unless
 *   PIP_CONFIG_FILE names an existing file, then $VIRTUAL_ENV/pip.conf, then
 *   PIP_CONFIG_FILE; later files override earlier ones; PIP_CONFIG_FILE set
 *   to /dev/null reads no file. PIP_INDEX_URL / PIP_EXTRA_INDEX_URL /
 *   PIP_NO_INDEX override every file.
 * Missing files are skipped; unreadable or malformed ones are errors.
 * project_dir may be NULL. */
int th_pipconf_load(th_pipconf *out, const th_pipconf_env *env, const char *project_dir, const th_limits *lim,
		    th_arena *a, th_error *err);

#endif
