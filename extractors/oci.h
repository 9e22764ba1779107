/*
 * oci — finds the image to scan in an OCI image layout (a directory, or the
 * same tarred: an OCI archive, or Docker 25's docker-archive that carries
 * one) or in a classic docker-archive (manifest.json), and reads its
 * manifest and config.
 *
 * Indexes may nest (an index pointing at indexes, bounded depth); the
 * manifest is chosen by platform "OS/ARCH[/VARIANT]" (default linux/amd64),
 * from the descriptors' platform, else from each candidate's config;
 * attestation manifests (platform unknown/unknown, or the
 * vnd.docker.reference.type annotation) are never chosen. When no platform
 * was asked for and the image has exactly one manifest, that one is taken
 * whatever its platform.
 *
 * Every JSON blob read (index, manifest, config) is checked against its
 * descriptor's size and sha256 before it is parsed. Layer blobs are only
 * located here; extractors/layer streams and verifies them. Files of a
 * layout directory are opened beneath it without following symlinks.
 */
#ifndef TH_OCI_H
#define TH_OCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/limits.h"
#include "extractors/ociarchive.h"

/* Where the image's files are: a layout directory or an indexed archive. */
typedef struct th_oci_src {
	int dirfd;        /* layout directory, or -1; borrowed */
	int fd;           /* archive file, or -1; borrowed */
	th_ociarchive *ar; /* the archive's index, or NULL; borrowed */
	const char *what; /* names the input in messages */
} th_oci_src;

typedef struct th_oci_layer {
	const char *media_type; /* "" for docker-archive */
	const char *digest;     /* "sha256:..." of the blob, or NULL (docker-archive) */
	uint64_t size;          /* descriptor size, or UINT64_MAX when unknown */
	const char *path;       /* file of the blob inside the input */
	const char *diff_id;    /* from the config */
} th_oci_layer;

typedef struct th_oci_kv {
	const char *key, *value;
} th_oci_kv;

typedef struct th_oci_history {
	const char *created, *created_by; /* NULL when absent */
	bool empty_layer;                 /* the step made no layer (ENV, CMD, ...) */
	const char *author, *comment;     /* NULL when absent */
} th_oci_history;

typedef struct th_oci_image {
	th_arena arena;             /* every string below lives here */
	const char *format;         /* "oci" or "docker-archive" */
	const char *manifest_digest; /* NULL for docker-archive */
	const char *config_digest;
	const char *os, *arch, *variant; /* from the config; variant may be "" */
	th_oci_layer *layers;
	size_t nlayers;
	const char **env, **entrypoint, **cmd;
	size_t nenv, nentrypoint, ncmd;
	th_oci_kv *labels;
	size_t nlabels;
	th_oci_history *history;
	size_t nhistory;
} th_oci_image;

/* Loads the image. platform: "OS/ARCH[/VARIANT]" or NULL for linux/amd64
 * (lenient, see above). Errors name the input and the blob. */
int th_oci_load(th_oci_image *out, const th_oci_src *src, const char *platform, const th_limits *lim,
		th_error *err);
void th_oci_release(th_oci_image *img);

/* Locates a file of the input for streaming: *fd is either src->fd (owned
 * = 0) or a new descriptor the caller closes (owned = 1). */
int th_oci_locate(const th_oci_src *src, const char *path, int *fd, int *owned, uint64_t *offset, uint64_t *size,
		  th_error *err);

/* Opens path beneath dirfd, refusing symlinks and escapes (openat2 with
 * RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS, or O_NOFOLLOW per component where
 * openat2 is missing). */
int th_oci_openat(int dirfd, const char *path, int flags, const char *what, th_error *err);

#endif
