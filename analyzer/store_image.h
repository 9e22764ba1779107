/*
 * store_image — the typed API of image facts in the facts store: one scan
 * of an image, its layers, OS, packages, Python interpreters and
 * distributions, native libraries; and the layer cache keyed by diff_id.
 *
 * The prefix is th_store_img_ (th_store_image_ already names the store's
 * reader of SQLite files found inside images). Every write belongs to the
 * caller's transaction (th_store_begin .. th_store_commit): a scan that fails
 * is rolled back whole and leaves the database as it was.
 *
 * Layer cache: a layer is keyed by its diff_id (the sha256 of its tar, which
 * thoth verified); its row keeps the replay log extractors/image needs to
 * squash later layers without reading it again, and whether it was verified.
 */
#ifndef TH_STORE_IMAGE_H
#define TH_STORE_IMAGE_H

#include <stdint.h>

#include "analyzer/store.h"
#include "core/arena.h"
#include "extractors/image.h"

/* Starts the facts of one scan (with the config's env, entrypoint, cmd,
 * labels and history); *out is its id. */
int th_store_img_scan(th_store *s, const th_image_info *i, int64_t *out, th_error *err);
int th_store_img_layer(th_store *s, int64_t scan, const th_image_layer *l, th_error *err);
int th_store_img_os(th_store *s, int64_t scan, const th_osrelease *os, th_error *err);
int th_store_img_package(th_store *s, int64_t scan, const th_image_pkg *p, th_error *err);
int th_store_img_interpreter(th_store *s, int64_t scan, const th_image_interp *i, th_error *err);
int th_store_img_env(th_store *s, int64_t scan, const th_image_env *e, th_error *err);
int th_store_img_dist(th_store *s, int64_t scan, const th_image_dist *d, th_error *err);
int th_store_img_library(th_store *s, int64_t scan, const th_image_lib *l, th_error *err);

/* Records what the squashed tree cost, at the end of a scan. A scan without
 * these is one an older thoth recorded (see th_store_img_latest). */
int th_store_img_stats(th_store *s, int64_t scan, const th_image_stats *st, th_error *err);

/* The facts of one recorded scan, read back (th_store_img_load). Every
 * pointer is into the arena given to the loader; the records reuse the
 * extractor's types, so a reader sees exactly what the scan saw, except:
 * th_image_info.nlayers is the number of layers recorded; th_pydist.summary
 * and th_image_interp.major/minor are filled from the stored values (major
 * and minor parsed from the version).
 *
 * Order (the order of every report): packages by name, arch, environment;
 * interpreters, libraries by path; distributions by location, then PEP 503
 * name; environments, layers and history in scan order. */
typedef struct th_imgfacts {
	int64_t scan;            /* image_scans.id */
	int64_t scanned_at;      /* seconds since the epoch */
	th_image_info info;      /* ref, format, digests, os/arch/variant, env, entrypoint, cmd, labels, history */
	th_image_stats stats;    /* zero for a scan an older thoth recorded */
	const th_osrelease *os;  /* NULL when the image has no os-release */
	const th_image_layer *layers;
	size_t nlayers;
	const th_image_pkg *pkgs;
	size_t npkgs;
	const th_image_interp *interps;
	size_t ninterps;
	const th_image_env *envs;
	size_t nenvs;
	const th_image_dist *dists;
	size_t ndists;
	const th_image_lib *libs;
	size_t nlibs;
	/* Derived from the libraries, for building a target environment: */
	const th_image_lib *libc;    /* the first libc ("libc", glibc) or "musl" library, or NULL */
	const char *libc_family;     /* "glibc" | "musl" | NULL when no C library was found */
	const char *libc_version;    /* glibc "2.36" / musl "1.2.4"; NULL when unknown */
	const char *cuda_version;    /* the CUDA runtime's (libcudart), NULL when absent */
	const char *cudnn_version;   /* cuDNN's, NULL when absent */
} th_imgfacts;

/* Reads the facts of scan `scan` into *out (arena a). TH_ERR_NOTFOUND when
 * there is no such scan. Does not need a transaction. */
int th_store_img_load(th_store *s, int64_t scan, th_imgfacts *out, th_arena *a, th_error *err);

/* The latest complete scan of an image: key is compared with the config
 * digest, the manifest digest and the ref, in that order of preference (the
 * config digest names the image's content: its diff_ids). Only scans this
 * version of the schema recorded in full count. TH_ERR_NOTFOUND when none. */
int th_store_img_latest(th_store *s, const char *key, int64_t *out, th_error *err);

/* The layer cache. get: TH_ERR_NOTFOUND when the diff_id is unknown. */
int th_store_img_cache_get(th_store *s, const char *diff_id, th_buf *out, th_error *err);
int th_store_img_cache_put(th_store *s, const char *diff_id, const void *log, size_t len, th_error *err);

/* Counts rows of one image-facts table (for tests): "scans", "layers",
 * "packages", "dists", "envs", "interpreters", "libraries", "cache",
 * "history". */
int th_store_img_count(th_store *s, const char *what, int64_t *out, th_error *err);

#endif
