/*
 * srcscan — one scan of a source tree: walks it (extractors/repowalk), reads
 * and hashes each Python file and notebook, takes the facts of content seen
 * before from the store and parses the rest (analyzer/pysource) on all
 * cores, then records the new facts, the stat cache and the scan in one
 * transaction.
 *
 * Work is split so that an unchanged file is never parsed twice: a file whose
 * (size, mtime, inode) match the stat cache is not even read; a file read
 * and hashed whose content the store knows is not parsed. Only the calling
 * thread touches the store; workers read, hash and parse, each with its own
 * parser and arena. With a store, the calling thread records each file's
 * facts as soon as a worker has parsed it (handed over under a mutex), so
 * SQLite's work overlaps the parsing.
 *
 * With a store, the caller holds the write transaction (th_store_begin)
 * around the scan and whatever it records from it (th_srcscan_record, then
 * declarations and findings), so one scan is one transaction. A warm
 * re-scan writes almost nothing: only files whose stat changed go back to
 * the stat cache, and a scan that found what an earlier one found is one
 * row pointing at it.
 *
 * th_srcscan_run_mem takes the files from the caller instead of a walk
 * (the sources inside an image); everything after the file list is the
 * same pipeline.
 */
#ifndef TH_SRCSCAN_H
#define TH_SRCSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/pysource.h"
#include "analyzer/store.h"
#include "analyzer/store_source.h"
#include "core/arena.h"
#include "core/hash.h"
#include "extractors/ipynb.h"
#include "extractors/repowalk.h"

typedef struct th_srcscan_file {
	const char *path;          /* relative to the root, arena */
	th_repofile_kind kind;
	char hash[TH_SHA256_HEX];  /* "" when the file could not be read */
	th_source_stat st;
	th_pysource src;           /* imports and usages (Python files and notebooks) */
	th_source_meta meta;       /* encoding, CPython's objection, thoth's error */
	th_ipynb nb;               /* notebooks: the cell map */
	bool cached;               /* facts came from the store */
	bool stat_hit;             /* ... through the stat cache: the file was not even read */
	char *raw;                 /* malloc, transient: the bytes between reading and parsing */
	size_t rawlen;
} th_srcscan_file;

typedef struct th_srcscan_opts {
	const char *const *exclude; /* globs, borrowed */
	size_t nexclude;
	bool usages;                /* collect API usage too */
	bool load_usages;           /* load cached usages from the store (for output) */
	int threads;                /* 0: as many as online CPUs */
} th_srcscan_opts;

/* A file already in memory (from an image, say): its path relative to the
 * scan's root and its bytes, borrowed (see th_srcscan.mem). */
typedef struct th_srcscan_mem_file {
	const char *path;
	th_repofile_kind kind;
	const void *data;
	size_t len;
} th_srcscan_mem_file;

typedef struct th_srcscan {
	char *root;                 /* malloc, absolute */
	th_srcscan_file *files;     /* malloc, in walk order */
	size_t nfiles;
	size_t nparsed, ncached, nread;
	int64_t scan_id;            /* set by th_srcscan_record */
	th_arena arena;             /* paths and facts of known content */
	th_arena carena;            /* facts from the stat cache (read beside the walk) */
	th_arena *warenas;          /* one per worker: parsed facts */
	int nworkers;
	/* th_srcscan_run_mem: the caller's files (borrowed; the caller keeps
	 * them until th_srcscan_release), manifests included, which later
	 * readers (analyzer/srcdeps) take from here instead of the disk. NULL
	 * for a tree on disk. */
	const th_srcscan_mem_file *mem;
	size_t nmem;
} th_srcscan;

/* store may be NULL (nothing cached, nothing recorded); else a transaction
 * must be open on it. */
int th_srcscan_run(th_srcscan *out, const char *root, const th_srcscan_opts *o, th_store *store,
		   const th_limits *lim, th_error *err);
/* th_srcscan_run over files already in memory, in the order given: the same
 * hashing, facts of known content, parallel parsing and recording, without
 * a walk or the stat cache (there is no stat: content is the identity).
 * root names the tree in the store (th_srcscan_record keys the scan by it);
 * it is not a path on this machine. Manifests (TH_REPOFILE_MANIFEST) are
 * listed but not read, as in th_srcscan_run. */
int th_srcscan_run_mem(th_srcscan *out, const char *root, const th_srcscan_mem_file *files, size_t n,
		       const th_srcscan_opts *o, th_store *store, const th_limits *lim, th_error *err);
/* Records the scan (s->scan_id) and the files it saw. digest summarises
 * everything the caller records for the scan; with *same set, an earlier
 * scan of the root found the same and the new one points at it: the caller
 * records nothing more. */
int th_srcscan_record(th_srcscan *s, th_store_source *h, const char *digest, bool *same, th_error *err);
void th_srcscan_release(th_srcscan *s);

#endif
