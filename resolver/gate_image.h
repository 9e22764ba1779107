/*
 * gate_image — the facts of an image the gate needs (its interpreter, C
 * library, Python distributions, CUDA libraries), and the target
 * environment they describe.
 *
 * The image is scanned through analyzer/imgscan, reusing an earlier
 * complete scan of the same image (same config digest): an image whose facts
 * are in the database costs reading its manifest and config and loading the
 * facts. imgscan writes in its own transaction: call this outside any.
 * Strings live in the caller's arena.
 *
 * The interpreter chosen is imgscan's (the first pythonX.Y along the image's
 * PATH, else the newest); the C library is glibc or musl as imgscan found
 * it.
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
