/*
 * imgscan — scanning a container image as a library call: any command
 * (scan image, advise --image, check --image, scan repo --image, kb) scans
 * an image REF and reads its facts back from the store.
 *
 * th_imgscan_run streams the image through extractors/image with the
 * store's layer cache (a layer whose diff_id was verified before is not read
 * again unless opts->verify), the store's defensive reader for RPM
 * databases, and writes every record into the facts store in ONE
 * transaction of its own: a failed scan leaves the database as it was. It
 * must therefore be called outside any transaction.
 *
 * With opts->reuse (and without opts->verify), an image whose config digest
 * (its content: the config lists every layer's diff_id) a complete earlier
 * scan recorded is not scanned again: that scan's id is returned after only
 * the manifest and config were read. A root filesystem directory has no
 * digest and is always scanned.
 *
 * With opts->pick, the files a caller picks (the sources `scan repo` reads
 * from an image that is also its target) come from the same pass over the
 * layers as the facts: a cold run decompresses each layer once, and fills
 * both the facts' layer cache and the pick's.
 *
 * th_imgscan_facts is run + th_store_img_load: the facts of the image, in
 * an arena the caller owns (see th_imgfacts in analyzer/store_image.h).
 *
 * Helpers for building a target environment from the facts:
 * th_imgfacts_python picks the interpreter the image runs by default;
 * th_imgfacts_lib finds a native library by kind. Interpreters are CPython
 * (thoth recognises pythonX.Y / libpythonX.Y binaries):
 * th_imgfacts_implementation says so in the words of PEP 508's
 * implementation_name.
 */
#ifndef TH_IMGSCAN_H
#define TH_IMGSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/store.h"
#include "analyzer/store_image.h"
#include "core/arena.h"
#include "core/error.h"
#include "core/limits.h"
#include "extractors/image.h"

typedef struct th_imgscan_opts {
	const char *platform; /* OS/ARCH[/VARIANT]; NULL: linux/amd64 */
	bool verify;          /* stream and verify every layer, even cached ones; disables reuse */
	bool reuse;           /* return the latest complete scan of the same image instead of scanning */
	const th_limits *lim; /* required */
	/* Called after each layer is read or taken from the cache (index from
	 * 0, of nlayers); NULL: none. For a progress indicator. */
	void (*progress)(void *ud, unsigned layer, size_t nlayers);
	void *progress_ud;
	/* Files picked in the same pass over the layers (extractors/image's
	 * th_image_pick, not `only`; its layer logs go to the store's cache too);
	 * NULL: none. Served by every successful run, reuse included: then only
	 * the pick's tree is built (from the cache, or streamed for it alone).
	 * A pick's error fails the scan, which then records nothing. */
	const th_image_pick *pick;
	uint64_t *streams; /* NULL, or incremented per pass over a layer (th_image_opts.streams) */
} th_imgscan_opts;

#define TH_IMGSCAN_OPTS_INIT { NULL, false, false, NULL, NULL, NULL, NULL, NULL }

/* Scans ref and records its facts; *out_scan is the scan's id (an earlier
 * one when opts->reuse found it). Errors are the extractor's (exit-2
 * material: they name the input) or the store's. */
int th_imgscan_run(th_store *s, const char *ref, const th_imgscan_opts *o, int64_t *out_scan, th_error *err);

/* th_imgscan_run, then th_store_img_load into *out (arena a). */
int th_imgscan_facts(th_store *s, const char *ref, const th_imgscan_opts *o, th_imgfacts *out, th_arena *a,
		     th_error *err);

/* The interpreter a target is built from: among executables (not
 * libpython), the first pythonX.Y found along the image's PATH (config env),
 * else the one with the highest version; a libpython only when there is no
 * executable. NULL when the image has no interpreter. */
const th_image_interp *th_imgfacts_python(const th_imgfacts *f);

/* The virtual environment or conda prefix the image runs in: the first
 * directory along the image's PATH that is ENV/bin of a recorded
 * environment, unless a directory holding an interpreter comes first. NULL:
 * the system's site directories (or no PATH). Its distributions are those
 * whose th_image_dist.environment is its path. */
const th_image_env *th_imgfacts_env(const th_imgfacts *f);

/* The first library of that kind (libc | musl | cuda-runtime | cudnn |
 * nccl | openblas | mkl | python | other) in path order, or NULL. */
const th_image_lib *th_imgfacts_lib(const th_imgfacts *f, const char *kind);

/* PEP 508 implementation_name of an interpreter thoth found: "cpython". */
const char *th_imgfacts_implementation(const th_image_interp *i);

#endif
