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
#include "extractors/image.h"

/* Starts the facts of one scan; *out is its id. */
int th_store_img_scan(th_store *s, const th_image_info *i, int64_t *out, th_error *err);
int th_store_img_layer(th_store *s, int64_t scan, const th_image_layer *l, th_error *err);
int th_store_img_os(th_store *s, int64_t scan, const th_osrelease *os, th_error *err);
int th_store_img_package(th_store *s, int64_t scan, const th_image_pkg *p, th_error *err);
int th_store_img_interpreter(th_store *s, int64_t scan, const th_image_interp *i, th_error *err);
int th_store_img_env(th_store *s, int64_t scan, const th_image_env *e, th_error *err);
int th_store_img_dist(th_store *s, int64_t scan, const th_image_dist *d, th_error *err);
int th_store_img_library(th_store *s, int64_t scan, const th_image_lib *l, th_error *err);

/* The layer cache. get: TH_ERR_NOTFOUND when the diff_id is unknown. */
int th_store_img_cache_get(th_store *s, const char *diff_id, th_buf *out, th_error *err);
int th_store_img_cache_put(th_store *s, const char *diff_id, const void *log, size_t len, th_error *err);

/* Counts rows of one image-facts table (for tests): "scans", "layers",
 * "packages", "dists", "envs", "interpreters", "libraries", "cache". */
int th_store_img_count(th_store *s, const char *what, int64_t *out, th_error *err);

#endif
