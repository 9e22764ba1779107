/*
 * conda — the packages of a conda environment, from the JSON records conda
 * keeps in PREFIX/conda-meta/NAME-VERSION-BUILD.json.
 *
 * Pure functions over bytes, through core/json (whose depth the caller's
 * limits bound; the caller bounds the size by lim->file_bytes). Only name,
 * version, build and channel are kept; a record that is not a JSON object
 * or lacks a string name or version is TH_ERR_INVALID. Strings live in the
 * caller's arena.
 *
 * The image scanner keeps a record as a note, not whole (conda-meta files
 * carry their file lists): th_conda_note turns a record into "name\nversion\n
 * build\nchannel" and th_conda_from_note reads it back.
 */
#ifndef TH_CONDA_H
#define TH_CONDA_H

#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/limits.h"

typedef struct th_conda_pkg {
	const char *name, *version;
	const char *build;   /* "" when absent */
	const char *channel; /* "" when absent; a URL or a channel name */
} th_conda_pkg;

/* Parses one conda-meta record; what names it in errors. */
int th_conda_parse(th_conda_pkg *out, const char *data, size_t len, const char *what, const th_limits *lim,
		   th_arena *a, th_error *err);

/* Writes the note of a record into out (cleared first). */
int th_conda_note(th_buf *out, const char *data, size_t len, const char *what, const th_limits *lim, th_error *err);

/* Reads a note back; TH_ERR_INVALID when it is not one. */
int th_conda_from_note(th_conda_pkg *out, const char *note, size_t len, th_arena *a, th_error *err);

#endif
