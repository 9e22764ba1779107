/*
 * pystdlib — the top-level modules of CPython's standard library for 3.8 to
 * 3.14: which exist and which were added or removed in which minor version.
 * Data, not logic: the names are sys.stdlib_module_names of CPython 3.11,
 * with the modules added since 3.8 and the ones removed (PEP 594 in 3.13,
 * distutils/imp/asynchat/asyncore/smtpd in 3.12, binhex in 3.11,
 * formatter/parser/symbol in 3.10, dummy_threading in 3.9) marked.
 */
#ifndef TH_PYSTDLIB_H
#define TH_PYSTDLIB_H

#include <stdbool.h>

/* Is top-level module `name` in the standard library of Python 3.minor?
 * minor 0 means "any version from 3.8 to 3.14". *removed_in gets the minor
 * version that removed it (0 if never), when not NULL. */
bool th_pystdlib_has(const char *name, int minor, int *removed_in);

/* Is it in the standard library of some version 3.8-3.14 at all? */
bool th_pystdlib_known(const char *name);

#endif
