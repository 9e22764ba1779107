/*
 * ipynb — the Python code of a Jupyter notebook: its code cells, in order,
 * joined into one text (each cell starting on a new line) so the source
 * analysis reads it as one file, with a map from lines back to cells.
 * IPython magics and shell escapes (`%pip`, `!ls`, a `%%bash` cell) are not
 * Python: their lines are turned into comments, keeping the line count.
 */
#ifndef TH_IPYNB_H
#define TH_IPYNB_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/limits.h"

typedef struct th_ipynb_cell {
	uint32_t index;      /* position in the notebook's cells array (0-based) */
	uint32_t first_line; /* 1-based line of the joined text where it starts */
} th_ipynb_cell;

typedef struct th_ipynb {
	th_ipynb_cell *cells; /* arena, code cells in order */
	size_t ncells;
} th_ipynb;

/* Fills code (cleared first) and out from the notebook JSON (data, len). */
int th_ipynb_code(th_buf *code, th_ipynb *out, const char *data, size_t len, const char *what, const th_limits *lim,
		  th_arena *a, th_error *err);

/* Maps a line of the joined text to (cell index, line within the cell). */
void th_ipynb_locate(const th_ipynb *nb, uint32_t line, uint32_t *cell, uint32_t *cell_line);

#endif
