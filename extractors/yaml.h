/*
 * yaml — YAML documents read through libyaml (the only module that includes
 * yaml.h), handed on as JSON text so the rest of thoth reads one tree type
 * (core/json).
 *
 * Conversion: mappings become objects, sequences arrays; every scalar becomes
 * a JSON string — YAML's implicit typing would turn the version 1.10 into the
 * number 1.1 — except the plain (unquoted) scalars null, ~, true and false
 * and an empty plain scalar, which become null / true / false. Only the first
 * document of a stream is read. Aliases are refused (they are how "billion
 * laughs" documents multiply), as are non-scalar mapping keys; nesting is
 * bounded by max_depth (core/limits.h yaml_depth).
 */
#ifndef TH_YAML_H
#define TH_YAML_H

#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"

/* Appends the JSON form of the first document of (data, len) to out. `what`
 * names the input in messages. */
int th_yaml_to_json(th_buf *out, const char *data, size_t len, unsigned max_depth, const char *what,
		    th_error *err);

#endif
