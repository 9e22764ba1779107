/*
 * elf — facts about native libraries: an ELF shared object's class,
 * machine, SONAME and (for the C library) the highest GLIBC_x.y version it
 * defines, which is the glibc level that decides manylinux compatibility;
 * and, from file names, which well-known library it is (CUDA runtime, cuDNN,
 * NCCL, OpenBLAS, MKL, glibc, musl, libpython) and its version.
 *
 * Only the front of the file is needed (program headers, dynamic section,
 * string table, version definitions lie in the first loadable segment); all
 * offsets are checked against the bytes given, so a truncated or hostile
 * file is TH_ERR_INVALID, never a read past the end. libmagic describes the
 * file as well (this is the only module that includes magic.h); the library
 * (loaded at run time, core/dynlib) and its database are loaded once per
 * th_elf_ctx, on its first ELF file. Descriptions are a nicety: without
 * libmagic or its database they are empty and the scan goes on.
 *
 * Between the stream and the facts pass the facts travel as a short text
 * note (th_elf_note / th_elf_from_note), which is what the squashed tree and
 * the layer cache keep instead of the library's bytes.
 */
#ifndef TH_ELF_H
#define TH_ELF_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"

typedef struct th_elf_ctx th_elf_ctx;

int th_elf_ctx_new(th_elf_ctx **out, th_error *err);
void th_elf_ctx_free(th_elf_ctx *c);

/* lib*.so, lib*.so.N..., ld-linux*.so.N, ld-musl-*.so.1 */
bool th_elf_interesting_name(const char *basename);

/* Parses the ELF bytes and writes the note. TH_ERR_INVALID when not ELF. */
int th_elf_note(th_elf_ctx *c, const void *data, size_t len, th_buf *out, th_error *err);

/* Reads a note back; strings in the arena, soname/glibc_max/description NULL when empty. */
int th_elf_from_note(const char **soname, const char **machine, int *bits, const char **glibc_max,
		     const char **description, const char *note, size_t len, th_arena *a, th_error *err);

/* kind and version from the file's name (and SONAME). */
void th_elf_classify(const char *basename, const char *soname, const char **kind, const char **version,
		     th_arena *a);

#endif
