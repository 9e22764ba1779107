/*
 * image — scans one image: finds its manifest (extractors/oci), streams each
 * layer once (extractors/layer) into the squashed tree (extractors/vfs),
 * keeping only the files that matter (and, in a second tree fed by the same
 * pass, the files a caller picks: th_image_pick), then reads the facts from the tree
 * (os-release, dpkg, Python interpreters and distributions, native
 * libraries) and hands them out as typed records through a sink.
 *
 * It never writes anything anywhere: the caller (the analyzer) persists the
 * records. Which files are kept is decided here, by path, as the entries
 * stream by (th_image_interest); contents are capped by lim->file_bytes,
 * metadata by lim->metadata_bytes, and an over-large file is skipped and
 * counted (th_image_layer.skipped), never a crash.
 *
 * Inputs: an OCI layout directory, an OCI archive, a docker-archive (both
 * forms), or a root filesystem directory, which is walked with openat and
 * O_NOFOLLOW component by component: its symlinks are read, never followed
 * on the host, and resolve inside the tree like an image's.
 *
 * Cached layers: when opts->cache is set, a layer whose diff_id the cache
 * knows (and trusts, unless opts->verify) is not read again; its replay log
 * (what squashing needs: every entry's path, type and link, and the kept
 * contents) is applied instead. After a layer is streamed, its replay log is
 * offered to the cache. See th_image_cache.
 */
#ifndef TH_IMAGE_H
#define TH_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/limits.h"
#include "extractors/dpkg.h"
#include "extractors/osrelease.h"
#include "extractors/python.h"

typedef struct th_image_history {
	const char *created, *created_by; /* NULL when absent */
	bool empty_layer;
	const char *author, *comment;     /* NULL when absent */
} th_image_history;

typedef struct th_image_info {
	const char *ref;
	const char *format; /* oci-layout | oci-archive | docker-archive | rootfs */
	const char *manifest_digest, *config_digest; /* NULL when not applicable */
	const char *os, *arch, *variant;
	const char *const *env;
	size_t nenv;
	const char *const *entrypoint;
	size_t nentrypoint;
	const char *const *cmd;
	size_t ncmd;
	size_t nlayers, nhistory;
	const char *const *labels; /* key, value, key, value, ... */
	size_t nlabels;            /* pairs */
	const th_image_history *history; /* the config's history, nhistory steps */
} th_image_info;

typedef struct th_image_layer {
	unsigned index;
	const char *media_type;
	const char *digest;  /* NULL when unknown (docker-archive) */
	const char *diff_id;
	const char *compression;
	uint64_t blob_bytes, tar_bytes, entries;
	uint64_t skipped;    /* entries skipped: unsafe paths, files over a limit */
	bool cached;         /* applied from the cache, not read */
} th_image_layer;

typedef struct th_image_pkg {
	const char *type; /* deb | rpm | apk | conda */
	const char *name, *version, *arch, *source, *source_version;
	const char *build, *channel; /* conda's; NULL for the others */
	const char *environment;     /* conda: the prefix it is installed in; NULL for the others */
} th_image_pkg;

typedef struct th_image_interp {
	const char *path;    /* absolute, in the image */
	const char *version; /* X.Y.Z, or X.Y when nothing better is known */
	const char *version_source; /* binary | package | name */
	int major, minor;
	bool library;        /* libpythonX.Y.so rather than an executable */
	const char *const *site_dirs; /* the site directories of its prefix that exist */
	size_t nsite_dirs;
} th_image_interp;

typedef struct th_image_env {
	const char *path;    /* the environment's root: a venv's dir, a conda prefix */
	const char *kind;    /* venv | conda */
	const char *home;    /* pyvenv.cfg home, or NULL */
	const char *version; /* pyvenv.cfg version / version_info, or NULL */
	bool system_site_packages;
} th_image_env;

typedef struct th_image_dist {
	th_pydist d;
	const char *location;  /* absolute site directory */
	const char *path;      /* the .dist-info / .egg-info path */
	const char *kind;      /* dist-info | egg-info */
	const char *installer; /* first line of INSTALLER, or NULL */
	const char *os_package; /* the OS package that owns it, or NULL */
	const char *environment; /* the venv / conda environment it is in, or NULL (system) */
	const char *direct_url;  /* direct_url.json's url (PEP 610), or NULL */
	const char *const *top_level; /* top_level.txt: the import names it provides */
	size_t ntop_level;
	const char *const *entry_points; /* entry_points.txt: the console_scripts names */
	size_t nentry_points;
	int64_t files;           /* lines of RECORD / installed-files.txt, -1 when absent */
	const char *const *record_names; /* top-level import names RECORD / installed-files.txt list */
	size_t nrecord_names;
} th_image_dist;

typedef struct th_image_lib {
	const char *path, *soname; /* soname NULL when the ELF has none */
	const char *machine;       /* x86_64, aarch64, ... */
	int bits;
	const char *kind;          /* libc | cuda-runtime | cudnn | nccl | openblas | mkl | python | other */
	const char *version;       /* from the file name or the library, may be NULL */
	const char *glibc_max;     /* highest GLIBC_x.y version the library defines (libc itself) */
	const char *description;   /* libmagic's, may be NULL */
} th_image_lib;

typedef struct th_image_sink {
	void *ud;
	int (*image)(void *ud, const th_image_info *i);
	int (*layer)(void *ud, const th_image_layer *l);
	int (*os)(void *ud, const th_osrelease *os);
	int (*package)(void *ud, const th_image_pkg *p);
	int (*interpreter)(void *ud, const th_image_interp *i);
	int (*env)(void *ud, const th_image_env *e);
	int (*dist)(void *ud, const th_image_dist *d);
	int (*library)(void *ud, const th_image_lib *l);
} th_image_sink;

/* A store of layers already seen, keyed by diff_id. get: fills out with the
 * replay log and returns 0, or TH_ERR_NOTFOUND. put: keeps a replay log. */
typedef struct th_image_cache {
	void *ud;
	int (*get)(void *ud, const char *diff_id, th_buf *out, th_error *err);
	int (*put)(void *ud, const char *diff_id, const void *log, size_t len, th_error *err);
} th_image_cache;

/* Reads rows of an SQLite file found in the image (the RPM database)
 * through the facts store's defensive reader, which this layer may not call
 * itself. fn gets each row of `sql`, as th_store_image_query describes. */
typedef int (*th_image_row_fn)(void *ud, int ncols, const void *const *vals, const size_t *lens);
typedef struct th_image_sqlite {
	void *ud;
	int (*rows)(void *ud, const void *db, size_t len, const char *what, const char *sql, th_image_row_fn fn,
		    void *fn_ud, th_error *err);
} th_image_sqlite;

/* What squashing cost, for benchmarks and the JSON report. */
typedef struct th_image_stats {
	uint64_t nodes;      /* entries in the squashed tree at the end */
	uint64_t created;    /* tree nodes ever created (replaced ones included) */
	uint64_t tree_bytes; /* memory of the tree's nodes and names */
	uint64_t kept_bytes; /* memory of kept file contents and notes */
} th_image_stats;

/* Files a caller wants besides the facts (the Python sources `scan repo`
 * reads from an image), picked by path as the layers stream, into a tree of
 * their own: the facts' tree and the pick's are fed by ONE pass over each
 * layer (a file both keep is read once), and each is built exactly as a
 * scan of its own would build it. A picked file's content is kept (up to
 * lim->file_bytes; a larger one is skipped and counted) and, once the tree is
 * squashed, each regular file of the final tree that want() accepts goes to
 * file(), in the walk order of th_vfs_walk, with its content or NULL when
 * none was kept (over file_bytes, or put there through a symlinked parent
 * under a name want() refused). The kept content of all layers together is
 * bounded by max_bytes (more is TH_ERR_LIMIT), files later deleted included:
 * it is the memory the pick costs.
 *
 * image() and layer() (each may be NULL) see the image and the pick tree's
 * own record of each layer (its skipped entries; cached when its log came
 * from the cache). With only, no facts are read and the sink sees the image
 * and those records too. Without only, the sink's image() may answer
 * TH_IMAGE_NO_FACTS (the caller has them): the scan goes on for the pick
 * alone and the sink sees nothing more.
 *
 * With a cache, the pick tree's layer logs are kept under the diff_id tagged
 * with cache_tag and " only" (the facts' under the bare diff_id): the tag must
 * change whenever want() would answer differently, and stay under 160 bytes
 * (a key is at most 255). */
typedef struct th_image_pick {
	void *ud;
	/* path relative to the image root ("app/main.py"), not NUL-terminated */
	bool (*want)(void *ud, const char *path, size_t len);
	/* path absolute ("/app/main.py"), NUL-terminated; non-zero stops the scan */
	int (*file)(void *ud, const char *path, size_t len, const void *data, size_t dlen);
	const char *cache_tag;
	bool only;          /* keep nothing else and read no facts */
	uint64_t max_bytes;
	int (*image)(void *ud, const th_image_info *i);  /* non-zero stops the scan */
	int (*layer)(void *ud, const th_image_layer *l); /* non-zero stops the scan */
} th_image_pick;

/* What the sink's image() returns, with a pick, when the facts are not
 * wanted (see th_image_pick). Without a pick it stops the scan, and
 * th_image_scan returns it, like any non-zero value. */
#define TH_IMAGE_NO_FACTS 2

typedef struct th_image_opts {
	const char *platform;       /* NULL: linux/amd64 */
	bool verify;                /* stream even layers the cache knows */
	const th_limits *lim;
	const th_image_cache *cache; /* NULL: none */
	const th_image_sqlite *sqlite; /* NULL: RPM databases are not read */
	th_image_stats *stats;       /* filled at the end when not NULL */
	const th_image_pick *pick;   /* NULL: none */
	uint64_t *streams;           /* NULL, or incremented for each pass over a layer's bytes
				      * (decompressing it): for tests and benchmarks */
} th_image_opts;

/* Scans ref. Every record goes through the sink; a sink function returning
 * non-zero stops the scan with that value. */
int th_image_scan(const char *ref, const th_image_opts *opts, const th_image_sink *sink, th_error *err);

#endif
