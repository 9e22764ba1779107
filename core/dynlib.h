/*
 * dynlib — loading a shared library at run time and filling a table of its
 * entry points, for the modules that wrap a heavy dependency (libcurl in
 * extractors/http.c, libarchive in extractors/archive.c, libmagic in
 * extractors/elf.c).
 *
 * Why: linking those three at build time made every thoth process map and
 * relocate ~35 shared libraries (gnutls, krb5, ldap, ICU, libstdc++, ...)
 * before main(), about 9 ms of CPU for `thoth --version`, although most
 * commands never fetch, unpack or describe a file. Loaded here, a process
 * pays for a library only when it first uses it.
 *
 * Invariants: a table is all or nothing — every symbol is found, or the load
 * fails with one message naming the library, its soname and the loader's
 * reason, and nothing stays open. The handle is the caller's (owned by the
 * object or the call that uses the table; no global state): each load is a
 * dlopen, which the C library reference-counts and serialises, so loads from
 * several threads are safe. Libraries are opened RTLD_NODELETE: once mapped
 * they stay, so a later load in the same process is a lookup, not a second
 * mapping, and function pointers never dangle.
 */
#ifndef TH_DYNLIB_H
#define TH_DYNLIB_H

#include <stddef.h>

#include "core/error.h"

/* One entry point: its symbol name and where its pointer goes in the table. */
typedef struct th_dynlib_sym {
	const char *name;
	size_t offset;
} th_dynlib_sym;

#define TH_DYNLIB_SYM(table_type, member, symbol) { symbol, offsetof(table_type, member) }

/* Opens `soname` and stores the address of each of `syms` (n of them) into
 * `table` at its offset (every member a function pointer). *out is the handle
 * for th_dynlib_close. `what` names the library in the message (e.g.
 * "libcurl"), and `why` says what it was needed for. */
int th_dynlib_open(void **out, void *table, const char *soname, const char *what, const char *why,
		   const th_dynlib_sym *syms, size_t n, th_error *err);

/* Drops one reference (NULL is fine). The library stays mapped (see above). */
void th_dynlib_close(void *handle);

#endif
