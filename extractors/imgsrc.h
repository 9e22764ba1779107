/*
 * imgsrc — the Python sources inside an image: the final (squashed) .py,
 * .pyi and .ipynb files and dependency manifests under one directory of
 * the image, read while its layers stream (extractors/image's pick), with
 * whiteouts, opaque directories, hardlinks and symlinked parents applied as
 * the squashed tree has them.
 *
 * What is not the application is skipped by default, below the chosen
 * directory: installed distributions and the interpreter's standard library
 * (site-packages and dist-packages directories, lib/pythonX.Y, lib/python3),
 * and what extractors/repowalk skips in a source tree (VCS, caches, tool
 * directories, *.egg-info, build/ and dist/ directly under the root).
 * Naming such a directory as the root scans it. The caller's exclude globs
 * match as in a directory scan, against the path relative to the root and
 * the name. Virtual environments are skipped through their site-packages;
 * .gitignore files are not read (an image is not a checkout).
 *
 * Bounds: one file's content up to lim->file_bytes (larger: skipped and
 * counted), all the content kept up to lim->image_src_bytes (more is
 * TH_ERR_LIMIT naming the limit), files and paths as image scans bound them.
 * Nothing is written anywhere; with a cache, layer logs are kept under a key
 * tagged by the root (see th_image_pick), so a warm re-scan reads no layer.
 * th_imgsrc_prepare hands the pick to a caller's own scan of the image, so
 * that the sources cost no pass of their own.
 *
 * Besides the scan's files, plain .txt files are kept (not listed) so that
 * requirements includes (-r/-c) resolve inside the tree.
 */
#ifndef TH_IMGSRC_H
#define TH_IMGSRC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/limits.h"
#include "extractors/image.h"
#include "extractors/repowalk.h"

typedef struct th_imgsrc_opts {
	const char *root;            /* absolute directory in the image; NULL: "/" */
	const char *const *exclude;  /* globs, borrowed */
	size_t nexclude;
	const char *platform;        /* NULL: linux/amd64 */
	const th_limits *lim;        /* required */
	const th_image_cache *cache; /* NULL: none */
} th_imgsrc_opts;

typedef struct th_imgsrc_file {
	const char *rel;      /* relative to the root ("pkg/mod.py"), arena */
	int kind;             /* th_repofile_kind, or -1 for a .txt kept for includes */
	const void *data;     /* arena */
	size_t len;
} th_imgsrc_file;

typedef struct th_imgsrc {
	char *root;               /* arena: the root, "/app" ("/" for the whole image) */
	const char *format;       /* arena: oci-layout | oci-archive | docker-archive | rootfs */
	const char *id;           /* arena: the config digest, or NULL (no digest: a root filesystem) */
	th_imgsrc_file *files;    /* arena, sorted by path */
	size_t nfiles;
	uint64_t skipped;         /* layer entries skipped: unsafe paths, files over file_bytes */
	uint64_t unread;          /* files of the final tree not listed: their content was not kept */
	uint64_t layers, cached_layers;
	uint64_t streams;         /* passes over layers th_imgsrc_read made (th_image_opts.streams) */
	th_arena arena;
} th_imgsrc;

/* Reads the sources of the image at ref. Errors name the input. */
int th_imgsrc_read(th_imgsrc *out, const char *ref, const th_imgsrc_opts *o, th_error *err);
void th_imgsrc_release(th_imgsrc *s);

/* The same in steps, for a caller that scans the image anyway (the image
 * is the target of `scan repo`: analyzer/imgscan takes the pick, and the
 * facts and the sources share one pass over each layer): prepare checks the
 * root and makes *out_pick (not `only`), which fills *out while a scan runs;
 * finish orders the files once that scan succeeded. o (with its excludes)
 * and err stay borrowed until then; o->cache and o->platform are the
 * caller's scan's business. Release *out in any case. */
int th_imgsrc_prepare(th_imgsrc *out, th_image_pick *out_pick, const th_imgsrc_opts *o, th_error *err);
void th_imgsrc_finish(th_imgsrc *s);

/* Whether the image reading skips a directory of that path relative to the
 * root (any component): exposed for tests. */
bool th_imgsrc_skipped_dir(const char *rel, size_t len);

#endif
