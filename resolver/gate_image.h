/*
 * gate_image — the facts of an image the gate needs (its interpreter, C
 * library, Python distributions, CUDA libraries), and the target
 * environment they describe.
 *
 * The image is scanned through extractors/image with the facts store's
 * layer cache, so an image seen before costs a replay of its cached layers,
 * not a read. (When analyzer/imgscan lands, this reads the stored facts of
 * the scan instead.) The caller holds a write transaction on the store
 * around th_gate_image_load (the layer cache may be filled). Strings live in
 * the caller's arena.
 *
 * The interpreter chosen is the newest executable one (a libpython only
 * when there is no executable); the C library is glibc (its GLIBC_x.y
 * level) or musl.
 */
#ifndef TH_GATE_IMAGE_H
#define TH_GATE_IMAGE_H

#include "analyzer/store.h"
#include "core/arena.h"
#include "core/error.h"
#include "core/limits.h"
#include "resolver/env.h"
#include "resolver/gate.h"

int th_gate_image_load(th_gate_image *out, th_store *s, const char *ref, const th_limits *lim, th_arena *a,
		       th_error *err);

/* The target an image describes (NULL python when it has none); `source`
 * names it in outputs. Strings borrowed from im. */
void th_gate_image_spec(th_env_spec *out, const th_gate_image *im, const char *source);

#endif
