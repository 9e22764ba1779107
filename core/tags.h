/*
 * tags — wheel compatibility tags (PEP 425, PEP 600 manylinux, PEP 656
 * musllinux) for a target: which tags a CPython X.Y on a given platform
 * accepts, most preferred first, and how well a wheel's tags rank there.
 *
 * A target is a Python version plus a platform written as uv writes
 * --python-platform values:
 *   ARCH-manylinux_2_N   glibc 2.N (also manylinux_M_N for a future glibc M)
 *   ARCH-manylinux2014   = manylinux_2_17;  manylinux2010 = 2_12;  manylinux1 = 2_5
 *   ARCH-musllinux_1_N   musl 1.N
 *   ARCH-linux           plain linux_ARCH only (no manylinux/musllinux)
 *   ARCH-unknown-linux-gnu   = ARCH-manylinux_2_28 (uv's default glibc)
 *   ARCH-unknown-linux-musl  = ARCH-musllinux_1_2
 *   linux = x86_64-manylinux_2_28
 *   ARCH-apple-darwin, ARCH-macosx_X_Y, macos   macOS (default 12.0; arm64 / x86_64)
 *   ARCH-pc-windows-msvc, windows               win_amd64 / win32 / win_arm64
 * ARCH: x86_64 (amd64), aarch64 (arm64), i686 (i386, i586, x86), armv7l
 * (armv7, armhf), ppc64le (powerpc64le), ppc64 (powerpc64), s390x, riscv64.
 *
 * The platform list is what packaging 23.0 computes on such a machine: for
 * glibc 2.N, manylinux_2_N down to manylinux_2_17 (x86_64 and i686: down to
 * manylinux_2_5), each legacy alias (manylinux2014, manylinux2010,
 * manylinux1) right after its manylinux_2_N, then linux_ARCH; for musl 1.N,
 * musllinux_1_N down to musllinux_1_0, then linux_ARCH. packaging 23.0 gives
 * riscv64 no manylinux tags at all; thoth does (as later packaging does), so
 * riscv64 targets differ from the oracle by design.
 *
 * The supported list equals packaging 23.0's
 *   cpython_tags(python, platforms=P) + compatible_tags(python, "cpXY", P)
 * for a non-debug CPython (ABI cpXYm before 3.8, cpXYmu before 3.3).
 * Tag text is ASCII; wheel tags are lower-cased (ASCII only) before lookup.
 *
 * Everything lives in the caller's arena. A th_tagset is a read-only hash of
 * a supported list, so ranking thousands of wheels costs one lookup per tag.
 */
#ifndef TH_TAGS_H
#define TH_TAGS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"

typedef struct th_tag {
	const char *interpreter; /* "cp311", "py3" */
	const char *abi;         /* "cp311", "abi3", "none" */
	const char *platform;    /* "manylinux_2_17_x86_64", "any" */
} th_tag;

typedef enum th_target_os {
	TH_OS_LINUX = 0, /* plain linux_ARCH */
	TH_OS_MANYLINUX, /* glibc: libc_major.libc_minor */
	TH_OS_MUSLLINUX, /* musl: libc_major.libc_minor */
	TH_OS_MACOS,     /* macOS: libc_major.libc_minor is the OS version */
	TH_OS_WINDOWS,
	TH_OS_CUSTOM     /* an explicit platform list (th_target_init_platforms) */
} th_target_os;

typedef struct th_target {
	int py_major, py_minor;
	const char *interpreter;  /* "cp311" (arena) */
	th_target_os os;
	const char *arch;         /* normalized: "x86_64", "aarch64", "armv7l", ... (static) */
	int libc_major, libc_minor;
	const char **platforms;   /* most preferred first (arena) */
	size_t nplatforms;
} th_target;

/* python: "X.Y" or "X.Y.Z"; platform: as above. */
int th_target_parse(th_target *out, const char *python, const char *platform, th_arena *a, th_error *err);

/* A target with an explicit platform list (copied), as packaging's
 * platforms= argument: for `thoth debug packaging` and odd platforms. */
int th_target_init_platforms(th_target *out, const char *python, const char *const *platforms, size_t n,
			     th_arena *a, th_error *err);

/* The supported tags, most preferred first. */
int th_tags_supported(th_tag **out, size_t *n, const th_target *t, th_arena *a, th_error *err);

/* "interpreter-abi-platform" */
int th_tag_format(const th_tag *t, th_buf *out, th_error *err);

typedef struct th_tagset th_tagset;

/* Indexes a supported list (borrowed: it must outlive the set). */
int th_tagset_build(th_tagset **out, const th_tag *supported, size_t n, th_arena *a, th_error *err);

/* Index of a tag in the supported list (first occurrence), or -1. */
int th_tagset_find(const th_tagset *s, const char *interpreter, const char *abi, const char *platform);

/* The best (lowest) index of any of tags in the supported list, or -1 when
 * none is supported: the wheel does not install on the target. */
int th_tags_rank(const th_tagset *supported, const th_tag *tags, size_t ntags);

#endif
