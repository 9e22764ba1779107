#include "extractors/image.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/json.h"
#include "extractors/apk.h"
#include "extractors/elf.h"
#include "extractors/layer.h"
#include "extractors/oci.h"
#include "extractors/ociarchive.h"
#include "extractors/rpm.h"
#include "extractors/vfs.h"
#include "extractors/conda.h"

/* What to do with a file's content as it streams by. */
typedef enum interest {
	IN_NONE = 0,
	IN_TEXT,  /* keep, up to file_bytes */
	IN_META,  /* keep, up to metadata_bytes (METADATA, PKG-INFO) */
	IN_DB,    /* keep, up to db_image_bytes (the RPM database) */
	IN_PYBIN, /* reduce to its X.Y.Z version string */
	IN_ELF,   /* reduce to a note of its ELF facts */
	IN_COUNT, /* reduce to its number of lines and import names (RECORD, installed-files.txt) */
	IN_CONDA, /* reduce to name, version, build and channel (a conda-meta record) */
	IN_PICK   /* the caller's (th_image_pick): keep, up to file_bytes, within pick->max_bytes in all */
} interest;

/* A hardlink of the layer being streamed whose name is of interest but whose
 * target's content was not kept as that interest needs (its first name was
 * of no interest, or of another): fixed by a second pass over the layer. */
typedef struct img_pending {
	char *target, *link; /* normalised paths (no leading "/" or "./"), NUL-terminated */
	size_t target_len, link_len;
	const th_vfs_node *node; /* the node the link made (nodes are never freed one by one) */
	uint64_t ordinal;        /* the link's place in the layer: only earlier copies of the target count */
} img_pending;

typedef struct scan {
	const th_image_opts *o;
	const th_limits *lim;
	const th_image_sink *sink;
	th_vfs *vfs;
	th_arena arena; /* records of the facts pass */
	th_buf content; /* reused for each kept file */
	th_buf note;
	th_elf_ctx *elf;
	th_buf log;     /* the replay log of the layer being streamed (when caching) */
	bool logging;
	unsigned layer;
	uint64_t skipped;
	uint64_t entries_left, bytes_left;
	img_pending *pend; /* this layer's, malloc'd; strings in pend_arena */
	size_t npend, cappend;
	uint64_t ordinal;  /* entries of the layer seen so far, in this pass */
	th_arena pend_arena;
	uint64_t picked;   /* bytes of picked content kept, all layers */
	bool picking;      /* the pick's tree: its interest alone, its own log and cache key */
	const th_buf *pre; /* the current file's content when both trees keep it (read once), else NULL */
} scan;

/* One scan of an input: the facts' tree, the pick's, or both, fed by one
 * pass over each layer (or one walk of a root filesystem). Each tree is
 * built exactly as a scan of its own would build it — its interest, its
 * skipped counts and budgets, its replay log under its own cache key — so
 * sharing the stream changes no record; only a file both keep is read once
 * for both (into pre). */
typedef struct run {
	const th_image_opts *o;
	const th_image_sink *sink;
	scan *v[2];    /* the trees being built, the facts' first */
	size_t n;
	scan *facts;   /* NULL: no facts (pick->only, or the sink said TH_IMAGE_NO_FACTS) */
	th_buf pre;
	uint64_t streams; /* passes over a layer's bytes */
} run;

static const char *const text_files[] = {
	"etc/os-release", "usr/lib/os-release", "etc/lsb-release", "etc/debian_version", "etc/alpine-release",
	"etc/redhat-release", "etc/centos-release", "etc/system-release", "var/lib/dpkg/status",
	"lib/apk/db/installed", NULL
};

static bool img__ends(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);
	return n >= k && !memcmp(s + n - k, suffix, k);
}

/* Drops the leading "/" and "./" a tar path may carry. */
static void img__norm(const char **p, size_t *len)
{
	while (*len && (**p == '/' || (*len >= 2 && (*p)[0] == '.' && (*p)[1] == '/'))) {
		size_t k = **p == '/' ? 1 : 2;
		*p += k;
		*len -= k;
	}
}

/* Decides from the path alone, before reading, what a file is to us. */
static interest img__std_interest(const char *p, size_t len)
{
	const char *b, *slash;
	size_t dl;
	int mj, mn;

	img__norm(&p, &len);
	for (int i = 0; text_files[i]; i++)
		if (strlen(text_files[i]) == len && !memcmp(p, text_files[i], len))
			return IN_TEXT;
	slash = NULL;
	for (size_t i = len; i-- > 0;)
		if (p[i] == '/') {
			slash = p + i;
			break;
		}
	b = slash ? slash + 1 : p;
	dl = slash ? (size_t)(slash - p) : 0;
	if ((len == 24 && !memcmp(p, "var/lib/rpm/rpmdb.sqlite", 24)) ||
	    (len == 33 && !memcmp(p, "usr/lib/sysimage/rpm/rpmdb.sqlite", 33)))
		return IN_DB;
	if (dl == 21 && !memcmp(p, "var/lib/dpkg/status.d", 21))
		return IN_TEXT;
	if (dl == 17 && !memcmp(p, "var/lib/dpkg/info", 17) && img__ends(b, len - dl - 1, ".list"))
		return IN_TEXT;
	if (dl > 10 && img__ends(p, dl, ".dist-info")) {
		if (!strcmp(b, "METADATA"))
			return IN_META;
		if (!strcmp(b, "INSTALLER") || !strcmp(b, "direct_url.json") || !strcmp(b, "top_level.txt") ||
		    !strcmp(b, "entry_points.txt"))
			return IN_TEXT;
		return !strcmp(b, "RECORD") ? IN_COUNT : IN_NONE;
	}
	if (dl > 9 && img__ends(p, dl, ".egg-info")) {
		if (!strcmp(b, "PKG-INFO"))
			return IN_META;
		if (!strcmp(b, "top_level.txt") || !strcmp(b, "entry_points.txt"))
			return IN_TEXT;
		return !strcmp(b, "installed-files.txt") ? IN_COUNT : IN_NONE;
	}
	if (img__ends(b, strlen(b), ".egg-info"))
		return IN_META;
	if (!strcmp(b, "pyvenv.cfg"))
		return IN_TEXT;
	if (dl >= 10 && !memcmp(p + dl - 10, "conda-meta", 10) && (dl == 10 || p[dl - 11] == '/') &&
	    img__ends(b, len - dl - 1, ".json"))
		return IN_CONDA;
	if (th_python_interp_name(b, &mj, &mn))
		return IN_PYBIN;
	if (th_elf_interesting_name(b))
		return IN_ELF;
	return IN_NONE;
}

/* The interest of a path for this tree: the facts' own, or the pick's. */
static interest img__interest(const scan *s, const char *p, size_t len)
{
	const th_image_pick *pk = s->o->pick;

	if (!s->picking)
		return img__std_interest(p, len);
	img__norm(&p, &len);
	return len && pk->want(pk->ud, p, len) ? IN_PICK : IN_NONE;
}

/* Reads up to cap bytes of the current entry into b. */
static int img__read_into(th_buf *b, th_layer_stream *ls, uint64_t cap, th_error *err)
{
	size_t got;
	int rc;

	th_buf_clear(b);
	while (b->len < cap) {
		size_t want = cap - b->len < 65536 ? (size_t)(cap - b->len) : 65536;
		if ((rc = th_buf_grow(b, want, err)))
			return rc;
		if ((rc = th_layer_data(ls, b->ptr + b->len, want, &got, err)))
			return rc;
		if (!got)
			break;
		b->len += got;
	}
	b->ptr[b->len] = '\0';
	return 0;
}

static int img__read(scan *s, th_layer_stream *ls, uint64_t cap, th_error *err)
{
	return img__read_into(&s->content, ls, cap, err);
}

/* Reads min(size, cap) bytes of an open file of a root filesystem into b. */
static int img__read_fd(th_buf *b, int fd, uint64_t size, uint64_t cap, const char *path, size_t plen, th_error *err)
{
	size_t want = (size_t)(size < cap ? size : cap), got = 0;
	ssize_t n = 0;
	int rc;

	th_buf_clear(b);
	if ((rc = th_buf_grow(b, want, err)))
		return rc;
	while (got < want && (n = read(fd, b->ptr + got, want - got)) > 0)
		got += (size_t)n;
	if (n < 0)
		return th_error_set(err, TH_ERR_IO, "%.*s: cannot read: %s", (int)plen, path, strerror(errno));
	b->len = got;
	b->ptr[got] = '\0';
	return 0;
}

/* Turns a binary into the note kept for it. */
static int img__reduce(scan *s, interest in, const char *path, size_t plen, const void **data, size_t *len,
		       th_error *err)
{
	const char *b = path + plen;
	int mj = 0, mn = 0;

	while (b > path && b[-1] != '/')
		b--;
	th_buf_clear(&s->note);
	if (in == IN_CONDA) {
		int rc = th_conda_note(&s->note, s->content.ptr, s->content.len, b, s->lim, err);
		if (rc == TH_ERR_INVALID) {
			th_error_clear(err);
			s->skipped++; /* documented: a malformed record is a skipped entry */
			*data = NULL;
			*len = 0;
			return 0;
		}
		if (rc)
			return rc;
	} else if (in == IN_COUNT) {
		/* "COUNT\nname\nname...": the file count, then the import names */
		th_arena tmp = TH_ARENA_INIT;
		const char **names;
		size_t nn;
		int rc = th_buf_printf(&s->note, err, "%llu",
				       (unsigned long long)th_pydist_count_lines(s->content.ptr, s->content.len));
		if (!rc && th_pydist_record_names(&names, &nn, s->content.ptr, s->content.len, strcmp(b, "RECORD") != 0,
						  &tmp))
			rc = th_error_set(err, TH_ERR_NOMEM, "out of memory");
		for (size_t i = 0; !rc && i < nn; i++)
			rc = th_buf_printf(&s->note, err, "\n%s", names[i]);
		th_arena_release(&tmp);
		if (rc)
			return rc;
	} else if (in == IN_PYBIN) {
		th_arena tmp = TH_ARENA_INIT;
		if (s->content.len < 4 || memcmp(s->content.ptr, "\177ELF", 4)) {
			*data = NULL; /* a text file named like an interpreter (binfmts, lintian) */
			*len = 0;
			return 0;
		}
		th_python_interp_name(b, &mj, &mn);
		const char *v = th_python_binary_version(s->content.ptr, s->content.len, mj, mn, &tmp);
		int rc = th_buf_puts(&s->note, v ? v : "", err);
		th_arena_release(&tmp);
		if (rc)
			return rc;
	} else {
		int rc = th_elf_note(s->elf, s->content.ptr, s->content.len, &s->note, err);
		if (rc == TH_ERR_INVALID) {
			th_error_clear(err);
			*data = NULL; /* not an ELF file after all (a linker script) */
			*len = 0;
			return 0;
		}
		if (rc)
			return rc;
	}
	*data = s->note.ptr;
	*len = s->note.len;
	return 0;
}

/* How much of a file of that interest is read. */
static uint64_t img__cap(const scan *s, interest in)
{
	uint64_t cap = in == IN_META ? s->lim->metadata_bytes : in == IN_DB ? s->lim->db_image_bytes : s->lim->file_bytes;
	if (in == IN_ELF && cap > (4u << 20))
		cap = 4u << 20; /* the dynamic section and version definitions sit at the front */
	return cap;
}

/* True when a file of that interest and size is not read: the whole of it
 * would be needed and it is over its cap. */
static bool img__over(const scan *s, interest in, uint64_t size)
{
	return size > img__cap(s, in) &&
	       (in == IN_TEXT || in == IN_META || in == IN_DB || in == IN_COUNT || in == IN_CONDA || in == IN_PICK);
}

/* img__over, counted as a skipped entry. */
static bool img__too_big(scan *s, interest in, uint64_t size)
{
	if (img__over(s, in, size)) {
		s->skipped++; /* documented: an over-large file of interest is skipped */
		return true;
	}
	return false;
}

/* How many bytes of a regular file this tree reads: 0 for none. */
static uint64_t img__wants(const scan *s, const char *path, size_t plen, uint64_t size)
{
	interest in = img__interest(s, path, plen);

	return in == IN_NONE || img__over(s, in, size) ? 0 : img__cap(s, in);
}

/* Before the trees take a regular file: when more than one reads it, it is
 * read once, as far as the greediest needs, and each takes its prefix (what
 * reading up to its own cap would have given). Otherwise the one tree that
 * wants it reads it from the source itself. */
static int img__prefetch(run *r, scan *const *v, size_t n, const char *path, size_t plen, uint64_t size,
			 th_layer_stream *ls, int fd, th_error *err)
{
	uint64_t need = 0, c;
	size_t readers = 0;
	int rc;

	for (size_t k = 0; k < n; k++)
		if ((c = img__wants(v[k], path, plen, size))) {
			readers++;
			need = c > need ? c : need;
		}
	if (readers < 2)
		return 0;
	rc = ls ? img__read_into(&r->pre, ls, need, err) : img__read_fd(&r->pre, fd, size, need, path, plen, err);
	for (size_t k = 0; !rc && k < n; k++)
		v[k]->pre = &r->pre;
	return rc;
}

/* What the tree keeps of the content in s->content: the bytes, or a note. */
static int img__keep(scan *s, interest in, const char *path, size_t plen, const void **data, size_t *len, th_error *err)
{
	if (in == IN_PYBIN || in == IN_ELF || in == IN_COUNT || in == IN_CONDA)
		return img__reduce(s, in, path, plen, data, len, err);
	*data = s->content.ptr;
	*len = s->content.len;
	return 0;
}

/* Decides, reads and reduces the content of a regular file of interest. */
static int img__content(scan *s, const char *path, size_t plen, uint64_t size, th_layer_stream *ls, int fd,
			const void **data, size_t *len, th_error *err)
{
	interest in = img__interest(s, path, plen);
	uint64_t cap = img__cap(s, in);
	int rc;

	*data = NULL;
	*len = 0;
	if (in == IN_NONE || img__too_big(s, in, size))
		return 0;
	if (s->pre) {
		size_t n = s->pre->len < cap ? s->pre->len : (size_t)cap;
		th_buf_clear(&s->content);
		if ((rc = th_buf_put(&s->content, s->pre->ptr, n, err)))
			return rc;
	} else if (ls) {
		if ((rc = img__read(s, ls, cap, err)))
			return rc;
	} else if ((rc = img__read_fd(&s->content, fd, size, cap, path, plen, err))) {
		return rc; /* rootfs: read from the already opened file */
	}
	if (in == IN_PICK && (s->picked += s->content.len) > s->o->pick->max_bytes)
		return th_error_set(err, TH_ERR_LIMIT, "%.*s: the files picked from the image exceed %llu bytes in all", (int)plen,
				    path, (unsigned long long)s->o->pick->max_bytes);
	return img__keep(s, in, path, plen, data, len, err);
}

/* ---- the replay log of a layer (what the layer cache keeps) ----
 *
 * "THLC3\n" (2: RECORD counts, entry points and conda records are kept; 3:
 * and RECORD's import names; a
 * log of an older version is not one, and its layer is streamed again and
 * its log replaced), then blob_bytes, tar_bytes, entries, skipped (u64 each),
 * compression (u8); then per entry: type (u8), has_data (u8), path, link
 * and data lengths (u32 each), and those bytes. Little-endian. Replaying the
 * entries into the tree has exactly the effect streaming the layer had. */
enum { LOG_HEAD = 6 + 4 * 8 + 1, LOG_REC = 2 + 3 * 4 };

static void img__le(unsigned char *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t img__rd(const unsigned char *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static int img__log_entry(th_buf *log, const th_layer_entry *e, const void *data, size_t len, th_error *err)
{
	unsigned char h[LOG_REC];
	int rc;

	if (len > UINT32_MAX)
		return th_error_set(err, TH_ERR_LIMIT, "%s: kept content too large to cache", e->path);
	h[0] = (unsigned char)e->type;
	h[1] = data != NULL;
	img__le(h + 2, e->path_len, 4);
	img__le(h + 6, e->link ? e->link_len : 0, 4);
	img__le(h + 10, data ? len : 0, 4);
	if ((rc = th_buf_put(log, h, sizeof(h), err)) || (rc = th_buf_put(log, e->path, e->path_len, err)) ||
	    (e->link && (rc = th_buf_put(log, e->link, e->link_len, err))) || (data && (rc = th_buf_put(log, data, len, err))))
		return rc;
	return 0;
}

/* Applies a cached layer: checks the whole log first, so a damaged entry
 * (TH_ERR_INVALID) leaves the tree untouched and the caller streams instead. */
static int img__replay(scan *s, const unsigned char *p, size_t n, th_image_layer *rec, th_error *err)
{
	size_t i;
	int rc;

	if (n < LOG_HEAD || memcmp(p, "THLC3\n", 6))
		return TH_ERR_INVALID;
	for (int pass = 0; pass < 2; pass++) {
		for (i = LOG_HEAD; i < n;) {
			if (n - i < LOG_REC)
				return TH_ERR_INVALID;
			uint64_t pl = img__rd(p + i + 2, 4), ll = img__rd(p + i + 6, 4), dl = img__rd(p + i + 10, 4);
			if (p[i] > TH_ENTRY_OTHER || pl + ll + dl > n - i - LOG_REC || pl == 0)
				return TH_ERR_INVALID;
			if (pass == 1) {
				char *path = (char *)p + i + LOG_REC; /* not NUL-terminated: vfs takes lengths */
				th_layer_entry e = { path, (size_t)pl, ll || p[i] == TH_ENTRY_SYMLINK || p[i] == TH_ENTRY_HARDLINK ? path + pl : NULL,
						     (size_t)ll, (th_entry_type)p[i], dl, 0644 };
				if (!s->entries_left--)
					return th_error_set(err, TH_ERR_LIMIT, "image has more than %llu entries (entries)",
							    (unsigned long long)s->lim->entries);
				rc = th_vfs_apply(s->vfs, s->layer, &e, p[i + 1] ? path + pl + ll : NULL, (size_t)dl, err);
				if (rc < 0)
					return rc;
			}
			i += LOG_REC + pl + ll + dl;
		}
	}
	static const char *const comp[] = { "none", "gzip", "zstd" };
	rec->blob_bytes = img__rd(p + 6, 8);
	rec->tar_bytes = img__rd(p + 14, 8);
	rec->entries = img__rd(p + 22, 8);
	rec->skipped = img__rd(p + 30, 8);
	rec->compression = comp[p[38] < 3 ? p[38] : 0];
	rec->cached = true;
	return 0;
}

/* A hardlink entry just applied: when its name is of interest and its
 * target, streamed earlier in this layer, was not kept as that interest
 * needs, it is remembered for img__fixup_entry. (A target in a lower layer
 * cannot be read again: the link then has what that layer kept.) */
static int img__hardlink(scan *s, const th_layer_entry *e, th_error *err)
{
	const char *lp = e->path, *tp = e->link;
	size_t ll = e->path_len, tl = e->link_len;
	const th_vfs_node *t, *n;
	interest in = img__interest(s, lp, ll);
	char *target;

	if (in == IN_NONE || !tp || img__interest(s, tp, tl) == in)
		return 0;
	img__norm(&lp, &ll);
	img__norm(&tp, &tl);
	if (!(target = th_arena_strndup(&s->pend_arena, tp, tl)))
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	if (th_vfs_lookup(s->vfs, target, false, &t, NULL) || th_vfs_node_layer(t) != s->layer)
		return 0;
	char *link = th_arena_strndup(&s->pend_arena, lp, ll);
	if (!link)
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	if (th_vfs_lookup(s->vfs, link, false, &n, NULL))
		return 0;
	if (s->npend == s->cappend) {
		size_t cap = s->cappend ? 2 * s->cappend : 8;
		img_pending *p = realloc(s->pend, cap * sizeof(*p));
		if (!p)
			return th_error_set(err, TH_ERR_NOMEM, "out of memory");
		s->pend = p;
		s->cappend = cap;
	}
	s->pend[s->npend++] = (img_pending){ target, link, tl, ll, n, s->ordinal };
	return 0;
}

static int img__entry(void *ud, const th_layer_entry *e, th_layer_stream *ls, th_error *err)
{
	scan *s = ud;
	const void *data = NULL;
	size_t len = 0;
	int rc;

	if (!s->entries_left--)
		return th_error_set(err, TH_ERR_LIMIT, "image has more than %llu entries (entries)",
				    (unsigned long long)s->lim->entries);
	s->ordinal++;
	if (e->type == TH_ENTRY_FILE && (rc = img__content(s, e->path, e->path_len, e->size, ls, -1, &data, &len, err)))
		return rc;
	if (s->logging && (rc = img__log_entry(&s->log, e, data, len, err)))
		return rc;
	rc = th_vfs_apply(s->vfs, s->layer, e, data, len, err);
	if (rc > 0) {
		s->skipped++;
		rc = 0;
	}
	if (!rc && e->type == TH_ENTRY_HARDLINK)
		rc = img__hardlink(s, e, err);
	return rc;
}

/* Second pass over a layer with pending hardlinks: each target's content,
 * read again, is kept under the link's name as the link's interest wants,
 * and logged after the layer's entries so a replay ends the same way. */
static int img__fixup_entry(void *ud, const th_layer_entry *e, th_layer_stream *ls, th_error *err)
{
	scan *s = ud;
	const char *p = e->path;
	size_t plen = e->path_len, full;
	uint64_t cap = 0;
	int rc = 0;

	s->ordinal++;
	if (e->type != TH_ENTRY_FILE)
		return 0;
	img__norm(&p, &plen);
	for (size_t i = 0; i < s->npend; i++)
		if (s->pend[i].ordinal > s->ordinal && s->pend[i].target_len == plen &&
		    !memcmp(s->pend[i].target, p, plen)) {
			uint64_t c = img__cap(s, img__interest(s, s->pend[i].link, s->pend[i].link_len));
			cap = c > cap ? c : cap;
		}
	if (!cap)
		return 0;
	if ((rc = img__read(s, ls, cap, err)))
		return rc;
	full = s->content.len;
	for (size_t i = 0; !rc && i < s->npend; i++) {
		img_pending *pd = &s->pend[i];
		interest in = img__interest(s, pd->link, pd->link_len);
		const th_vfs_node *n;
		const void *data = NULL;
		size_t len = 0, want = (size_t)(img__cap(s, in) < full ? img__cap(s, in) : full);
		if (pd->ordinal <= s->ordinal || pd->target_len != plen || memcmp(pd->target, p, plen))
			continue;
		/* the link's node must still be the one the link made: a later entry
		 * of the layer may have replaced or removed it */
		if (th_vfs_lookup(s->vfs, pd->link, false, &n, NULL) || n != pd->node || img__too_big(s, in, e->size))
			continue;
		s->content.len = want; /* a prefix is enough for the notes of binaries */
		rc = img__keep(s, in, pd->link, pd->link_len, &data, &len, err);
		s->content.len = full;
		th_layer_entry fe = { pd->link, pd->link_len, NULL, 0, TH_ENTRY_FILE, e->size, e->mode };
		if (!rc && s->logging)
			rc = img__log_entry(&s->log, &fe, data, len, err);
		if (!rc && (rc = th_vfs_apply(s->vfs, s->layer, &fe, data, len, err)) > 0)
			rc = 0;
		if (!rc && th_vfs_lookup(s->vfs, pd->link, false, &n, NULL) == 0)
			pd->node = n; /* a later copy of the target (same path again, still before the link) wins */
	}
	return rc;
}

/* ---- inputs ---- */

/* A layer's key in the cache: its diff_id for the facts' tree; for the
 * pick's, tagged so that a log made without the pick's files never stands in
 * for one made with them (nor the other way round). The " only" suffix is
 * from when a pick could also share the facts' tree; keys stay as they were
 * so that existing caches stay warm. */
static void img__cache_key(char *key, size_t cap, const scan *s, const char *diff_id)
{
	const th_image_pick *pk = s->o->pick;

	if (s->picking)
		snprintf(key, cap, "%s %s only", diff_id, pk->cache_tag ? pk->cache_tag : "pick");
	else
		snprintf(key, cap, "%s", diff_id);
}

/* A tree's layer from the cache: 0 (replayed, *rec filled), TH_ERR_NOTFOUND
 * (to be streamed; err clear) or an error. */
static int img__cached(scan *s, const th_oci_layer *l, unsigned i, th_image_layer *rec, th_error *err)
{
	char key[256];
	int rc;

	*rec = (th_image_layer){ i, l->media_type, l->digest, l->diff_id, "none", 0, 0, 0, 0, true };
	th_buf_clear(&s->log);
	img__cache_key(key, sizeof(key), s, l->diff_id);
	rc = s->o->cache->get(s->o->cache->ud, key, &s->log, err);
	if (rc == 0 && (rc = img__replay(s, (const unsigned char *)s->log.ptr, s->log.len, rec, err)) == 0) {
		s->bytes_left -= rec->tar_bytes < s->bytes_left ? rec->tar_bytes : s->bytes_left;
		return 0;
	}
	if (rc != TH_ERR_NOTFOUND && rc != TH_ERR_INVALID)
		return rc;
	th_error_clear(err);
	return TH_ERR_NOTFOUND;
}

/* Feeds one streamed entry to several trees (img__prefetch reads a file
 * they share once). */
typedef struct img_tee {
	run *r;
	scan *const *v;
	size_t n;
} img_tee;

static int img__tee_entry(void *ud, const th_layer_entry *e, th_layer_stream *ls, th_error *err)
{
	img_tee *t = ud;
	int rc = 0;

	if (e->type == TH_ENTRY_FILE)
		rc = img__prefetch(t->r, t->v, t->n, e->path, e->path_len, e->size, ls, -1, err);
	for (size_t k = 0; !rc && k < t->n; k++)
		rc = img__entry(t->v[k], e, ls, err);
	for (size_t k = 0; k < t->n; k++)
		t->v[k]->pre = NULL;
	return rc;
}

/* Streams a layer once into the trees the cache could not serve, then
 * offers each its log. (A tree with hardlinks to fix up reads the layer
 * again, alone: rare.) */
static int img__stream(run *r, scan *const *v, size_t n, th_layer_src *ls, th_layer_result *res, th_error *err)
{
	img_tee t = { r, v, n };
	char key[256];
	int rc = 0;

	for (size_t k = 0; k < n && !rc; k++) {
		scan *s = v[k];
		s->logging = r->o->cache != NULL;
		th_buf_clear(&s->log);
		if (s->logging && !(rc = th_buf_put(&s->log, "THLC3\n", 6, err)))
			rc = th_buf_grow(&s->log, LOG_HEAD, err);
		s->log.len = s->logging ? LOG_HEAD : 0;
		s->npend = 0;
		s->ordinal = 0;
		th_arena_release(&s->pend_arena);
	}
	if (rc)
		return rc;
	r->streams++;
	/* one tree: entries go straight to it, as before there were two */
	rc = n == 1 ? th_layer_scan(res, ls, r->o->lim, img__entry, v[0], err)
		    : th_layer_scan(res, ls, r->o->lim, img__tee_entry, &t, err);
	for (size_t k = 0; k < n && !rc; k++) {
		scan *s = v[k];
		if (s->npend) {
			/* rare: hardlinks of interest to files that were not kept */
			th_layer_result again;
			s->ordinal = 0;
			r->streams++;
			rc = th_layer_scan(&again, ls, r->o->lim, img__fixup_entry, s, err);
		}
	}
	for (size_t k = 0; k < n && !rc; k++) {
		scan *s = v[k];
		if (!s->logging)
			continue;
		unsigned char *h = (unsigned char *)s->log.ptr + 6;
		img__le(h, res->blob_bytes, 8);
		img__le(h + 8, res->tar_bytes, 8);
		img__le(h + 16, res->entries, 8);
		img__le(h + 24, s->skipped, 8);
		h[32] = (unsigned char)res->compression;
		img__cache_key(key, sizeof(key), s, res->diff_id);
		rc = r->o->cache->put(r->o->cache->ud, key, s->log.ptr, s->log.len, err);
	}
	return rc;
}

/* A tree's record of a layer goes to the sink (the facts', or with
 * pick->only the pick's) and to pick->layer (the pick's). */
static int img__layer_rec(run *r, const scan *s, const th_image_layer *rec)
{
	const th_image_pick *pk = r->o->pick;
	int rc = 0;

	if (s->picking && pk->layer && (rc = pk->layer(pk->ud, rec)))
		return rc;
	if ((!s->picking || pk->only) && r->sink->layer)
		rc = r->sink->layer(r->sink->ud, rec);
	return rc;
}

static int img__layers(run *r, const th_oci_src *src, const th_oci_image *im, th_error *err)
{
	const th_limits *lim = r->o->lim;
	int rc = 0;

	for (size_t i = 0; i < im->nlayers && !rc; i++) {
		const th_oci_layer *l = &im->layers[i];
		th_image_layer rec[2];
		scan *miss[2];
		size_t nmiss = 0;
		th_layer_result res;
		th_layer_src ls;
		uint64_t off, size, bytes = lim->layer_bytes, entries = UINT64_MAX;
		int fd, owned;
		char what[512];

		snprintf(what, sizeof(what), "%s: layer %zu (%s)", src->what, i, l->digest ? l->digest : l->path);
		if ((rc = th_oci_locate(src, l->path, &fd, &owned, &off, &size, err))) {
			if (rc == TH_ERR_NOTFOUND) {
				th_error_clear(err);
				rc = th_error_set(err, TH_ERR_NOTFOUND, "%s: blob is missing", what);
			}
			break;
		}
		for (size_t k = 0; k < r->n && !rc; k++) {
			scan *s = r->v[k];
			s->layer = (unsigned)i;
			s->skipped = 0;
			rc = TH_ERR_NOTFOUND;
			if (r->o->cache && !r->o->verify && l->diff_id)
				rc = img__cached(s, l, (unsigned)i, &rec[k], err);
			if (rc == TH_ERR_NOTFOUND) {
				rc = 0;
				miss[nmiss++] = s;
				/* the stream is bounded as the tightest of its trees would bound it */
				bytes = s->bytes_left < bytes ? s->bytes_left : bytes;
				entries = s->entries_left < entries ? s->entries_left : entries;
			}
		}
		if (!rc && nmiss) {
			ls = (th_layer_src){ fd, off, size, l->size, l->digest, l->diff_id, what, bytes, entries };
			rc = img__stream(r, miss, nmiss, &ls, &res, err);
		}
		if (owned)
			close(fd);
		for (size_t k = 0; k < r->n && !rc; k++) {
			scan *s = r->v[k];
			bool streamed = false;
			for (size_t m = 0; m < nmiss; m++)
				streamed |= miss[m] == s;
			if (streamed) {
				s->bytes_left -= res.tar_bytes;
				rec[k] = (th_image_layer){ (unsigned)i, l->media_type, l->digest, res.diff_id,
							   th_layer_compression_name(res.compression), res.blob_bytes,
							   res.tar_bytes, res.entries, s->skipped, false };
				if (!l->digest)
					rec[k].digest = NULL;
			}
			rc = img__layer_rec(r, s, &rec[k]);
		}
	}
	return rc;
}

/* The image's description goes to the sink, which may answer that the
 * facts are not wanted (with a pick, the scan goes on for it alone), then to
 * the pick. */
static int img__info(run *r, const th_image_info *info)
{
	const th_image_pick *pk = r->o->pick;
	int rc = 0;

	if (r->sink->image && (rc = r->sink->image(r->sink->ud, info))) {
		if (rc != TH_IMAGE_NO_FACTS || !pk)
			return rc;
		if (r->facts) {
			r->v[0] = r->v[1];
			r->n = 1;
			r->facts = NULL;
		}
		rc = 0;
	}
	if (pk && pk->image)
		rc = pk->image(pk->ud, info);
	return rc;
}

static int img__oci(run *r, const char *ref, int dirfd, int fd, th_ociarchive *ar, th_error *err)
{
	th_oci_src src = { dirfd, fd, ar, ref };
	th_oci_image im;
	int rc;

	if ((rc = th_oci_load(&im, &src, r->o->platform, r->o->lim, err)))
		return rc;
	const char **labels = im.nlabels ? th_arena_alloc(&im.arena, 2 * im.nlabels * sizeof(*labels)) : NULL;
	for (size_t i = 0; labels && i < im.nlabels; i++) {
		labels[2 * i] = im.labels[i].key;
		labels[2 * i + 1] = im.labels[i].value;
	}
	th_image_info info = { ref, dirfd >= 0 ? "oci-layout" : strcmp(im.format, "oci") ? im.format : "oci-archive",
			       im.manifest_digest, im.config_digest, im.os, im.arch, im.variant,
			       im.env, im.nenv, im.entrypoint, im.nentrypoint, im.cmd, im.ncmd, im.nlayers, im.nhistory,
			       labels, labels ? im.nlabels : 0, NULL };
	th_image_history *hist = im.nhistory ? th_arena_alloc(&im.arena, im.nhistory * sizeof(*hist)) : NULL;
	for (size_t i = 0; hist && i < im.nhistory; i++)
		hist[i] = (th_image_history){ im.history[i].created, im.history[i].created_by, im.history[i].empty_layer,
					      im.history[i].author, im.history[i].comment };
	info.history = hist;
	if (!hist)
		info.nhistory = 0;
	if (!(rc = img__info(r, &info)))
		rc = img__layers(r, &src, &im, err);
	th_oci_release(&im);
	return rc;
}

/* Walks a root filesystem directory into the tree. Never follows a symlink
 * on the host: every directory is opened with O_NOFOLLOW relative to its
 * parent's descriptor, every symlink is read with readlinkat. */
static int img__rootfs_dir(run *r, int dfd, th_buf *path, unsigned depth, th_error *err);

/* Applies an entry that is not a regular file to every tree; *refused[k]
 * says the tree refused it (a skipped entry, unless its walk goes on). */
static int img__rootfs_apply(run *r, const th_layer_entry *e, bool *refused, th_error *err)
{
	int rc = 0;

	for (size_t k = 0; k < r->n && rc >= 0; k++) {
		rc = th_vfs_apply(r->v[k]->vfs, 0, e, NULL, 0, err);
		refused[k] = rc > 0;
	}
	return rc < 0 ? rc : 0;
}

/* A regular file of a root filesystem: opened once when a tree wants it,
 * read once (img__prefetch) when both do. */
static int img__rootfs_file(run *r, int dfd, const char *name, const th_layer_entry *e, bool *refused, th_error *err)
{
	int rc = 0, f = -1;

	for (size_t k = 0; k < r->n && f < 0; k++)
		if (img__interest(r->v[k], e->path, e->path_len) != IN_NONE) {
			if ((f = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)) < 0)
				break;
			rc = img__prefetch(r, r->v, r->n, e->path, e->path_len, e->size, NULL, f, err);
		}
	for (size_t k = 0; k < r->n && !rc; k++) {
		scan *s = r->v[k];
		const void *data = NULL;
		size_t len = 0;
		if (f >= 0 && img__interest(s, e->path, e->path_len) != IN_NONE)
			rc = img__content(s, e->path, e->path_len, e->size, NULL, f, &data, &len, err);
		if (!rc && (rc = th_vfs_apply(s->vfs, 0, e, data, len, err)) > 0) {
			refused[k] = true;
			rc = 0;
		}
	}
	for (size_t k = 0; k < r->n; k++)
		r->v[k]->pre = NULL;
	if (f >= 0)
		close(f);
	return rc;
}

/* Walks a root filesystem directory into the trees. Never follows a symlink
 * on the host: every directory is opened with O_NOFOLLOW relative to its
 * parent's descriptor, every symlink is read with readlinkat. */
static int img__rootfs_dir(run *r, int dfd, th_buf *path, unsigned depth, th_error *err)
{
	const th_limits *lim = r->o->lim;
	DIR *d;
	struct dirent *de;
	int rc = 0, dup_fd = dup(dfd);

	if (dup_fd < 0 || !(d = fdopendir(dup_fd))) {
		if (dup_fd >= 0)
			close(dup_fd);
		return th_error_set(err, TH_ERR_IO, "%s: cannot read directory: %s", path->ptr, strerror(errno));
	}
	while (!rc && (de = readdir(d))) {
		struct stat st;
		size_t keep = path->len;
		th_layer_entry e;
		char link[4097];
		bool refused[2] = { false, false };

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW))
			continue; /* vanished meanwhile */
		if ((rc = th_buf_printf(path, err, "/%s", de->d_name)))
			break;
		if (path->len > lim->path_bytes) {
			rc = th_error_set(err, TH_ERR_LIMIT, "%s: path longer than %llu bytes (path_bytes)", path->ptr,
					  (unsigned long long)lim->path_bytes);
			break;
		}
		for (size_t k = 0; k < r->n && !rc; k++)
			if (!r->v[k]->entries_left--)
				rc = th_error_set(err, TH_ERR_LIMIT, "more than %llu files (entries)",
						  (unsigned long long)lim->entries);
		if (rc)
			break;
		memset(&e, 0, sizeof(e));
		e.path = path->ptr;
		e.path_len = path->len;
		e.mode = st.st_mode & 07777;
		if (S_ISDIR(st.st_mode)) {
			e.type = TH_ENTRY_DIR;
			rc = img__rootfs_apply(r, &e, refused, err);
			int sub = openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (!rc && sub >= 0) {
				refused[0] = refused[1] = false; /* its walk goes on: not counted */
				rc = img__rootfs_dir(r, sub, path, depth + 1, err);
			}
			if (sub >= 0)
				close(sub);
		} else if (S_ISLNK(st.st_mode)) {
			ssize_t n = readlinkat(dfd, de->d_name, link, sizeof(link) - 1);
			if (n >= 0) {
				link[n] = '\0';
				e.type = TH_ENTRY_SYMLINK;
				e.link = link;
				e.link_len = (size_t)n;
				rc = img__rootfs_apply(r, &e, refused, err);
			}
		} else if (S_ISREG(st.st_mode)) {
			e.type = TH_ENTRY_FILE;
			e.size = (uint64_t)st.st_size;
			rc = img__rootfs_file(r, dfd, de->d_name, &e, refused, err);
		} else {
			e.type = TH_ENTRY_OTHER;
			rc = img__rootfs_apply(r, &e, refused, err);
		}
		for (size_t k = 0; k < r->n; k++)
			r->v[k]->skipped += refused[k];
		path->len = keep;
		path->ptr[keep] = '\0';
	}
	closedir(d);
	return rc;
}

static int img__rootfs(run *r, const char *ref, int dfd, th_error *err)
{
	th_buf path = TH_BUF_INIT;
	th_image_info info = { ref, "rootfs", NULL, NULL, "linux", "", "", NULL, 0, NULL, 0, NULL, 0, 0, 0, NULL, 0, NULL };
	int rc;

	if ((rc = img__info(r, &info)))
		return rc;
	rc = th_buf_puts(&path, "", err);
	if (!rc)
		rc = img__rootfs_dir(r, dfd, &path, 0, err);
	th_buf_release(&path);
	return rc;
}

/* ---- facts from the squashed tree ---- */

/* Paths listed in dpkg's *.list files, each with its package. A small open
 * addressing table: one image has at most a few hundred thousand. */
typedef struct owners {
	const char **path, **pkg;
	size_t cap, n;
} owners;

static uint64_t img__strhash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static int img__owners_add(owners *o, th_arena *a, const char *p, size_t len, const char *pkg)
{
	if (o->n * 2 >= o->cap) {
		size_t nc = o->cap ? o->cap * 2 : 4096;
		const char **np = calloc(nc, sizeof(*np)), **nk = calloc(nc, sizeof(*nk));
		if (!np || !nk) {
			free(np);
			free(nk);
			return TH_ERR_NOMEM;
		}
		for (size_t i = 0; i < o->cap; i++) {
			if (!o->path[i])
				continue;
			size_t j = img__strhash(o->path[i]) & (nc - 1);
			while (np[j])
				j = (j + 1) & (nc - 1);
			np[j] = o->path[i];
			nk[j] = o->pkg[i];
		}
		free(o->path);
		free(o->pkg);
		o->path = np;
		o->pkg = nk;
		o->cap = nc;
	}
	char *c = th_arena_strndup(a, p, len);
	if (!c)
		return TH_ERR_NOMEM;
	size_t j = img__strhash(c) & (o->cap - 1);
	while (o->path[j]) {
		if (!strcmp(o->path[j], c))
			return 0;
		j = (j + 1) & (o->cap - 1);
	}
	o->path[j] = c;
	o->pkg[j] = pkg;
	o->n++;
	return 0;
}

static const char *img__owner(const owners *o, const char *p)
{
	if (!o->cap)
		return NULL;
	for (size_t j = img__strhash(p) & (o->cap - 1); o->path[j]; j = (j + 1) & (o->cap - 1))
		if (!strcmp(o->path[j], p))
			return o->pkg[j];
	return NULL;
}

typedef struct facts {
	scan *s;
	owners own;
	const char **envs; /* environment roots found in pass 0 */
	size_t nenvs;
	/* dpkg versions by package name, for interpreters without a version string */
	const char **pkg_name, **pkg_ver;
	size_t npkg, cappkg;
} facts;

static int img__file(scan *s, const char *path, const void **data, size_t *len)
{
	const th_vfs_node *n;

	if (th_vfs_lookup(s->vfs, path, true, &n, NULL) || th_vfs_node_type(n) != TH_VFS_FILE)
		return TH_ERR_NOTFOUND;
	*data = th_vfs_node_data(n, len);
	return *data ? 0 : TH_ERR_NOTFOUND;
}

static int img__os(facts *f, th_error *err)
{
	static const char *const fallbacks[] = { "/etc/lsb-release", "/etc/alpine-release", "/etc/redhat-release",
						  "/etc/centos-release", "/etc/system-release", "/etc/debian_version",
						  NULL };
	scan *s = f->s;
	th_osrelease os;
	const void *d;
	size_t len;

	if (!s->sink->os)
		return 0;
	if (!img__file(s, "/etc/os-release", &d, &len) || !img__file(s, "/usr/lib/os-release", &d, &len)) {
		if (!th_osrelease_parse(&os, d, len, &s->arena, NULL))
			return s->sink->os(s->sink->ud, &os);
	}
	for (int i = 0; fallbacks[i]; i++)
		if (!img__file(s, fallbacks[i], &d, &len) &&
		    !th_osrelease_parse_fallback(&os, fallbacks[i], d, len, &s->arena, NULL))
			return s->sink->os(s->sink->ud, &os);
	(void)err;
	return 0;
}

/* Remembers a package's version, for interpreters without a version string. */
static int img__pkg_remember(facts *f, const char *name, const char *version)
{
	if (f->npkg == f->cappkg) {
		size_t nc = f->cappkg ? f->cappkg * 2 : 256;
		const char **a = realloc(f->pkg_name, nc * sizeof(*a));
		if (!a)
			return TH_ERR_NOMEM;
		f->pkg_name = a;
		const char **b = realloc(f->pkg_ver, nc * sizeof(*b));
		if (!b)
			return TH_ERR_NOMEM;
		f->pkg_ver = b;
		f->cappkg = nc;
	}
	f->pkg_name[f->npkg] = name;
	f->pkg_ver[f->npkg++] = version;
	return 0;
}

static int img__dpkg_pkg(void *ud, const th_dpkg_pkg *p)
{
	facts *f = ud;
	th_image_pkg r = { "deb", p->name, p->version, p->arch, p->source, p->source_version, NULL, NULL, NULL };
	int rc = img__pkg_remember(f, p->name, p->version);

	if (rc)
		return rc;
	return f->s->sink->package ? f->s->sink->package(f->s->sink->ud, &r) : 0;
}

static int img__dpkg(facts *f, th_error *err)
{
	scan *s = f->s;
	const void *d;
	size_t len;

	/* status.d (distroless) and the file lists are read during the walk. */
	if (!img__file(s, "/var/lib/dpkg/status", &d, &len))
		return th_dpkg_parse(d, len, &s->arena, img__dpkg_pkg, f, err);
	return 0;
}

static int img__rpm_row(void *ud, int ncols, const void *const *vals, const size_t *lens)
{
	facts *f = ud;
	scan *s = f->s;
	th_rpm_pkg p;
	int rc;

	if (ncols < 1 || !vals[0] || th_rpm_header_parse(&p, vals[0], lens[0], 1000000, &s->arena, NULL)) {
		s->skipped++; /* a damaged header: recorded, skipped */
		return 0;
	}
	th_image_pkg r = { "rpm", p.name, th_rpm_evr(&p, &s->arena), p.arch, p.sourcerpm, NULL, NULL, NULL, NULL };
	if (!r.version)
		return TH_ERR_NOMEM;
	r.source_version = r.version;
	for (size_t i = 0; i < p.nfiles; i++)
		if (img__owners_add(&f->own, &s->arena, p.files[i], strlen(p.files[i]), p.name))
			return TH_ERR_NOMEM;
	if ((rc = img__pkg_remember(f, p.name, r.version)))
		return rc;
	return s->sink->package ? s->sink->package(s->sink->ud, &r) : 0;
}

static int img__rpm(facts *f, th_error *err)
{
	static const char *const dbs[] = { "/var/lib/rpm/rpmdb.sqlite", "/usr/lib/sysimage/rpm/rpmdb.sqlite" };
	scan *s = f->s;
	const void *d;
	size_t len;

	if (!s->o->sqlite)
		return 0;
	for (int i = 0; i < 2; i++) {
		if (img__file(s, dbs[i], &d, &len))
			continue;
		int rc = s->o->sqlite->rows(s->o->sqlite->ud, d, len, dbs[i], "SELECT blob FROM Packages", img__rpm_row, f,
					    err);
		if (rc == TH_ERR_INVALID) {
			/* A database that is not a usable rpmdb: recorded, skipped. */
			th_error_clear(err);
			s->skipped++;
			continue;
		}
		return rc;
	}
	return 0;
}

static int img__apk_pkg(void *ud, const th_apk_pkg *p)
{
	facts *f = ud;
	scan *s = f->s;
	th_image_pkg r = { "apk", p->name, p->version, p->arch, *p->origin ? p->origin : p->name, p->version,
			   NULL, NULL, NULL };
	int rc;

	for (size_t i = 0; i < p->nfiles; i++)
		if (img__owners_add(&f->own, &s->arena, p->files[i], strlen(p->files[i]), p->name))
			return TH_ERR_NOMEM;
	if ((rc = img__pkg_remember(f, p->name, p->version)))
		return rc;
	return s->sink->package ? s->sink->package(s->sink->ud, &r) : 0;
}

static int img__apk(facts *f, th_error *err)
{
	const void *d;
	size_t len;

	if (img__file(f->s, "/lib/apk/db/installed", &d, &len))
		return 0;
	return th_apk_parse(d, len, 1000000, &f->s->arena, img__apk_pkg, f, err);
}

/* Owners from *.list files and status.d paragraphs, found during the walk. */
static int img__visit_dpkg(facts *f, const char *path, size_t plen, const th_vfs_node *n, th_error *err)
{
	scan *s = f->s;
	size_t len;
	const char *d = th_vfs_node_data(n, &len);
	const char *b = th_vfs_node_name(n);

	if (!d)
		return 0;
	if (plen > 23 && !strncmp(path, "/var/lib/dpkg/status.d/", 23) && !strchr(path + 23, '/')) {
		if (img__ends(b, strlen(b), ".md5sums"))
			return 0;
		return th_dpkg_parse(d, len, &s->arena, img__dpkg_pkg, f, err);
	}
	if (plen > 19 && !strncmp(path, "/var/lib/dpkg/info/", 19) && img__ends(b, strlen(b), ".list")) {
		size_t bl = strlen(b) - 5;
		const char *colon = memchr(b, ':', bl); /* "libc6:amd64.list" */
		char *pkg = th_arena_strndup(&s->arena, b, colon ? (size_t)(colon - b) : bl);
		if (!pkg)
			return th_error_set(err, TH_ERR_NOMEM, "out of memory");
		for (size_t i = 0; i < len;) {
			const char *l = d + i, *nl = memchr(l, '\n', len - i);
			size_t ll = nl ? (size_t)(nl - l) : len - i;
			i += ll + 1;
			if (ll && img__owners_add(&f->own, &s->arena, l, ll, pkg))
				return th_error_set(err, TH_ERR_NOMEM, "out of memory");
		}
	}
	return 0;
}

static const char *img__pkg_version(const facts *f, const char *pkg)
{
	for (size_t i = 0; pkg && i < f->npkg; i++)
		if (!strcmp(f->pkg_name[i], pkg))
			return f->pkg_ver[i];
	return NULL;
}

/* "3.11.2-6+deb12u6" -> "3.11.2" when it starts with X.Y. */
static const char *img__upstream(th_arena *a, const char *v, int mj, int mn)
{
	char pre[16];
	int pl = snprintf(pre, sizeof(pre), "%d.%d", mj, mn);
	const char *c = strchr(v, ':');

	if (c)
		v = c + 1;
	if (strncmp(v, pre, (size_t)pl) || (v[pl] != '.' && v[pl] != '-' && v[pl] != '\0' && v[pl] != '~'))
		return NULL;
	return th_arena_strndup(a, v, strcspn(v, "-~+"));
}

static int img__interp(facts *f, const char *path, const th_vfs_node *n, th_error *err)
{
	scan *s = f->s;
	th_image_interp r;
	size_t len;
	const char *note = th_vfs_node_data(n, &len);
	const char *b = th_vfs_node_name(n);
	char xy[16];

	memset(&r, 0, sizeof(r));
	if (!note || !th_python_interp_name(b, &r.major, &r.minor))
		return 0; /* nothing kept: not an ELF binary */
	r.library = b[0] == 'l';
	r.path = th_arena_strdup(&s->arena, path);
	if (len) {
		r.version = th_arena_strndup(&s->arena, note, len);
		r.version_source = "binary";
	} else {
		const char *v = img__pkg_version(f, img__owner(&f->own, path));
		if (v && (r.version = img__upstream(&s->arena, v, r.major, r.minor)))
			r.version_source = "package";
	}
	if (!r.version) {
		snprintf(xy, sizeof(xy), "%d.%d", r.major, r.minor);
		r.version = th_arena_strdup(&s->arena, xy);
		r.version_source = "name";
	}
	if (!r.path || !r.version)
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	if (!r.library) {
		/* PREFIX/bin/pythonX.Y: its site directories under PREFIX, including
		 * Debian's PREFIX/lib/python3/dist-packages and local/. */
		const char **dirs = th_arena_alloc(&s->arena, 4 * sizeof(*dirs));
		size_t pl = strlen(path);
		while (pl && path[pl - 1] != '/')
			pl--;
		if (dirs && pl >= 5 && !strncmp(path + pl - 5, "/bin/", 5)) {
			int px = (int)(pl - 5);
			for (int i = 0; i < 4; i++) {
				char d[4200];
				const th_vfs_node *sd;
				if (i == 0)
					snprintf(d, sizeof(d), "%.*s/lib/python%d.%d/site-packages", px, path, r.major, r.minor);
				else if (i == 1)
					snprintf(d, sizeof(d), "%.*s/lib/python%d.%d/dist-packages", px, path, r.major, r.minor);
				else if (i == 2)
					snprintf(d, sizeof(d), "%.*s/local/lib/python%d.%d/dist-packages", px, path, r.major, r.minor);
				else
					snprintf(d, sizeof(d), "%.*s/lib/python%d/dist-packages", px, path, r.major);
				if (!th_vfs_lookup(s->vfs, d, true, &sd, NULL) && th_vfs_node_type(sd) == TH_VFS_DIR)
					dirs[r.nsite_dirs++] = th_arena_strdup(&s->arena, d);
			}
		}
		r.site_dirs = dirs;
	}
	return s->sink->interpreter ? s->sink->interpreter(s->sink->ud, &r) : 0;
}

/* pyvenv.cfg: "key = value" lines. */
static const char *img__cfg(th_arena *a, const char *d, size_t len, const char *key)
{
	size_t kl = strlen(key);
	for (size_t i = 0; i < len;) {
		const char *l = d + i, *nl = memchr(l, '\n', len - i);
		size_t ll = nl ? (size_t)(nl - l) : len - i;
		i += ll + 1;
		while (ll && (*l == ' ' || *l == '\t'))
			l++, ll--;
		if (ll <= kl || strncmp(l, key, kl) || (l[kl] != ' ' && l[kl] != '=' && l[kl] != '\t'))
			continue;
		const char *eq = memchr(l, '=', ll);
		if (!eq)
			continue;
		const char *v = eq + 1, *e = l + ll;
		while (v < e && (*v == ' ' || *v == '\t'))
			v++;
		while (e > v && (e[-1] == ' ' || e[-1] == '\r' || e[-1] == '\t'))
			e--;
		return th_arena_strndup(a, v, (size_t)(e - v));
	}
	return NULL;
}

static int img__env(facts *f, const char *path, size_t plen, const th_vfs_node *n, const char *kind, th_error *err)
{
	scan *s = f->s;
	size_t bl = strlen(th_vfs_node_name(n)), len = 0;
	th_image_env r = { th_arena_strndup(&s->arena, path, plen - bl - 1), kind, NULL, NULL, false };
	const char *d = th_vfs_node_data(n, &len);

	if (!r.path)
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	if (!*r.path)
		r.path = "/";
	if (d) {
		const char *sys = img__cfg(&s->arena, d, len, "include-system-site-packages");
		r.home = img__cfg(&s->arena, d, len, "home");
		r.version = img__cfg(&s->arena, d, len, "version");
		if (!r.version)
			r.version = img__cfg(&s->arena, d, len, "version_info");
		r.system_site_packages = sys && !strcasecmp(sys, "true");
	}
	if (f->nenvs % 16 == 0) {
		const char **ne = realloc(f->envs, (f->nenvs + 16) * sizeof(*ne));
		if (!ne)
			return th_error_set(err, TH_ERR_NOMEM, "out of memory");
		f->envs = ne;
	}
	f->envs[f->nenvs++] = r.path;
	return s->sink->env ? s->sink->env(s->sink->ud, &r) : 0;
}

/* The innermost environment whose root contains `location`. */
static const char *img__env_of(const facts *f, const char *location)
{
	const char *best = NULL;
	for (size_t i = 0; i < f->nenvs; i++) {
		size_t l = strlen(f->envs[i]);
		if (!strncmp(location, f->envs[i], l) && (location[l] == '/' || l == 1) && (!best || l > strlen(best)))
			best = f->envs[i];
	}
	return best;
}

/* direct_url.json (PEP 610), top_level.txt, entry_points.txt and the file
 * count of RECORD / installed-files.txt of a distribution directory. */
static int img__dist_extras(scan *s, const th_vfs_node *n, th_image_dist *r)
{
	const th_vfs_node *c;
	const char *d;
	size_t len;

	if (th_vfs_node_type(n) != TH_VFS_DIR)
		return 0;
	c = th_vfs_child(s->vfs, n, "direct_url.json");
	if (c && th_vfs_node_type(c) == TH_VFS_FILE && (d = th_vfs_node_data(c, &len))) {
		th_json *j = NULL;
		if (!th_json_parse(&j, d, len, (unsigned)s->lim->json_depth, "direct_url.json", NULL)) {
			const char *u = th_json_str(th_json_get(j, "url"), NULL);
			r->direct_url = u ? th_arena_strdup(&s->arena, u) : NULL;
		}
		th_json_free(j);
	}
	c = th_vfs_child(s->vfs, n, "top_level.txt");
	if (c && th_vfs_node_type(c) == TH_VFS_FILE && (d = th_vfs_node_data(c, &len))) {
		size_t cap = 0;
		for (size_t i = 0; i < len; i++)
			cap += d[i] == '\n';
		const char **v = th_arena_alloc(&s->arena, (cap + 1) * sizeof(*v));
		if (!v)
			return TH_ERR_NOMEM;
		for (size_t i = 0; i < len;) {
			const char *l = d + i, *nl = memchr(l, '\n', len - i);
			size_t ll = nl ? (size_t)(nl - l) : len - i;
			i += ll + 1;
			while (ll && (l[ll - 1] == '\r' || l[ll - 1] == ' '))
				ll--;
			if (ll && r->ntop_level <= cap)
				v[r->ntop_level++] = th_arena_strndup(&s->arena, l, ll);
		}
		r->top_level = v;
	}
	c = th_vfs_child(s->vfs, n, "entry_points.txt");
	if (c && th_vfs_node_type(c) == TH_VFS_FILE && (d = th_vfs_node_data(c, &len))) {
		const char **eps;
		if (th_pydist_console_scripts(&eps, &r->nentry_points, d, len, &s->arena))
			return TH_ERR_NOMEM;
		r->entry_points = eps;
	}
	c = th_vfs_child(s->vfs, n, img__ends(th_vfs_node_name(n), strlen(th_vfs_node_name(n)), ".dist-info")
					    ? "RECORD"
					    : "installed-files.txt");
	if (c && th_vfs_node_type(c) == TH_VFS_FILE && (d = th_vfs_node_data(c, &len)) && len) {
		/* the note IN_COUNT made: decimal digits, then one import name a line */
		size_t i = 0, cap = 0;
		r->files = 0;
		for (; i < len && d[i] >= '0' && d[i] <= '9' && r->files < INT64_MAX / 10 - 9; i++)
			r->files = r->files * 10 + (d[i] - '0');
		for (size_t k = i; k < len; k++)
			cap += d[k] == '\n';
		const char **v = cap ? th_arena_alloc(&s->arena, cap * sizeof(*v)) : NULL;
		if (cap && !v)
			return TH_ERR_NOMEM;
		while (v && i < len && d[i] == '\n' && r->nrecord_names < cap) {
			const char *l = d + i + 1, *nl = memchr(l, '\n', len - i - 1);
			size_t ll = nl ? (size_t)(nl - l) : len - i - 1;
			if (!(v[r->nrecord_names++] = th_arena_strndup(&s->arena, l, ll)))
				return TH_ERR_NOMEM;
			i += ll + 1;
		}
		r->record_names = v;
	}
	return 0;
}

static int img__dist(facts *f, const char *path, size_t plen, const th_vfs_node *n, th_error *err)
{
	scan *s = f->s;
	th_image_dist r;
	const char *b = th_vfs_node_name(n);
	const th_vfs_node *parent = th_vfs_node_parent(n), *md = NULL, *inst;
	const char *pn = th_vfs_node_name(parent);
	const char *mdata = NULL;
	size_t mlen = 0;
	int rc;

	if (!img__ends(pn, strlen(pn), "-packages") && strcmp(pn, "site-python"))
		return 0;
	memset(&r, 0, sizeof(r));
	r.files = -1;
	bool dist_info = img__ends(b, strlen(b), ".dist-info");
	if (th_vfs_node_type(n) == TH_VFS_DIR)
		md = th_vfs_child(s->vfs, n, dist_info ? "METADATA" : "PKG-INFO");
	else if (th_vfs_node_type(n) == TH_VFS_FILE && !dist_info)
		md = n;
	else
		return 0;
	if (md && th_vfs_node_type(md) == TH_VFS_FILE)
		mdata = th_vfs_node_data(md, &mlen);
	if ((rc = th_pydist_parse(&r.d, b, mdata, mlen, s->lim, &s->arena, NULL))) {
		s->skipped++;
		return 0;
	}
	r.kind = dist_info ? "dist-info" : "egg-info";
	r.path = th_arena_strdup(&s->arena, path);
	r.location = th_arena_strndup(&s->arena, path, plen - strlen(b) - 1);
	if (!r.path || !r.location)
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	inst = dist_info ? th_vfs_child(s->vfs, n, "INSTALLER") : NULL;
	if (inst && th_vfs_node_type(inst) == TH_VFS_FILE) {
		size_t il;
		const char *id = th_vfs_node_data(inst, &il);
		if (id)
			r.installer = th_arena_strndup(&s->arena, id, strcspn(id, "\r\n"));
	}
	r.environment = img__env_of(f, r.location);
	if ((rc = img__dist_extras(s, n, &r)))
		return rc;
	r.os_package = img__owner(&f->own, path);
	if (!r.os_package && th_vfs_node_type(n) == TH_VFS_DIR) {
		/* apk lists files only: the metadata file names the owner */
		th_buf p = TH_BUF_INIT;
		if (!th_buf_printf(&p, NULL, "%s/%s", path, dist_info ? "METADATA" : "PKG-INFO"))
			r.os_package = img__owner(&f->own, p.ptr);
		th_buf_release(&p);
	}
	return s->sink->dist ? s->sink->dist(s->sink->ud, &r) : 0;
}

static int img__lib(facts *f, const char *path, const th_vfs_node *n, th_error *err)
{
	scan *s = f->s;
	th_image_lib r;
	size_t len;
	const char *note = th_vfs_node_data(n, &len);
	int rc;

	if (!note || !s->sink->library)
		return 0;
	if ((rc = th_elf_from_note(&r.soname, &r.machine, &r.bits, &r.glibc_max, &r.description, note, len, &s->arena,
				   err)))
		return rc;
	r.path = th_arena_strdup(&s->arena, path);
	th_elf_classify(th_vfs_node_name(n), r.soname, &r.kind, &r.version, &s->arena);
	if (!strcmp(r.kind, "libc") && r.glibc_max)
		r.version = r.glibc_max + 6; /* "GLIBC_2.36" */
	else if (!strcmp(r.kind, "musl")) {
		/* musl carries no version symbol: the package that owns it says it */
		const char *v = img__pkg_version(f, img__owner(&f->own, path));
		r.version = v ? th_arena_strndup(&s->arena, v, strcspn(v, "-_")) : NULL;
	}
	if (!r.path)
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	return s->sink->library(s->sink->ud, &r);
}

/* A conda-meta record, kept as its note: a package of the prefix. */
static int img__conda(facts *f, const char *path, size_t plen, const th_vfs_node *n, th_error *err)
{
	scan *s = f->s;
	th_conda_pkg c;
	size_t len;
	const char *note = th_vfs_node_data(n, &len);
	const char *b = th_vfs_node_name(n);

	if (!note || !s->sink->package)
		return 0;
	if (th_conda_from_note(&c, note, len, &s->arena, NULL)) {
		s->skipped++;
		return 0;
	}
	/* the prefix: the path without "/conda-meta/NAME.json" ("/" at the root) */
	size_t pl = plen - strlen(b) - 1 - 11;
	const char *prefix = pl ? th_arena_strndup(&s->arena, path, pl) : "/";
	if (!prefix)
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	th_image_pkg r = { "conda", c.name, c.version, NULL, NULL, NULL, c.build, c.channel, prefix };
	return s->sink->package(s->sink->ud, &r);
}

typedef struct walkctx {
	facts *f;
	th_error *err;
	int pass;
} walkctx;

static int img__visit(void *ud, const char *path, size_t plen, const th_vfs_node *n)
{
	walkctx *w = ud;
	const char *b = th_vfs_node_name(n);
	int mj, mn;

	if (w->pass == 0) {
		if (!strcmp(b, "pyvenv.cfg") && th_vfs_node_type(n) == TH_VFS_FILE)
			return img__env(w->f, path, plen, n, "venv", w->err);
		if (!strcmp(b, "conda-meta") && th_vfs_node_type(n) == TH_VFS_DIR)
			return img__env(w->f, path, plen, n, "conda", w->err);
		return plen > 14 && !strncmp(path, "/var/lib/dpkg/", 14) && th_vfs_node_type(n) == TH_VFS_FILE
			       ? img__visit_dpkg(w->f, path, plen, n, w->err)
			       : 0;
	}
	if (th_pydist_dirname(b))
		return img__dist(w->f, path, plen, n, w->err);
	if (th_vfs_node_type(n) != TH_VFS_FILE)
		return 0;
	if (th_python_interp_name(b, &mj, &mn))
		return img__interp(w->f, path, n, w->err);
	if (img__ends(b, strlen(b), ".json") && !strcmp(th_vfs_node_name(th_vfs_node_parent(n)), "conda-meta"))
		return img__conda(w->f, path, plen, n, w->err);
	if (th_elf_interesting_name(b))
		return img__lib(w->f, path, n, w->err);
	return 0;
}

static int img__facts(scan *s, th_error *err)
{
	facts f;
	walkctx w = { &f, err, 0 };
	int rc;

	memset(&f, 0, sizeof(f));
	f.s = s;
	if ((rc = img__os(&f, err)) || (rc = img__dpkg(&f, err)) || (rc = img__rpm(&f, err)) || (rc = img__apk(&f, err)))
		goto done;
	/* Pass 0: dpkg's status.d and file lists (ownership); pass 1: the rest. */
	if ((rc = th_vfs_walk(s->vfs, img__visit, &w, err)))
		goto done;
	w.pass = 1;
	rc = th_vfs_walk(s->vfs, img__visit, &w, err);
done:
	free(f.own.path);
	free(f.own.pkg);
	free(f.pkg_name);
	free(f.pkg_ver);
	free(f.envs);
	return rc;
}

typedef struct pickwalk {
	const th_image_pick *pk;
} pickwalk;

/* The picked files of the squashed tree, in walk order. */
static int img__pick_visit(void *ud, const char *path, size_t plen, const th_vfs_node *n)
{
	const th_image_pick *pk = ((pickwalk *)ud)->pk;
	const void *data;
	size_t len = 0;

	if (th_vfs_node_type(n) != TH_VFS_FILE || plen < 2 || !pk->want(pk->ud, path + 1, plen - 1))
		return 0;
	data = th_vfs_node_data(n, &len);
	return pk->file(pk->ud, path, plen, data, data ? len : 0);
}

static int img__scan_init(scan *s, const th_image_opts *opts, const th_image_sink *sink, bool picking, th_error *err)
{
	int rc;

	memset(s, 0, sizeof(*s));
	s->o = opts;
	s->lim = opts->lim;
	s->sink = sink;
	s->picking = picking;
	s->entries_left = s->lim->entries;
	s->bytes_left = s->lim->image_bytes;
	th_arena_init(&s->arena, picking ? 4096 : 64 * 1024);
	th_arena_init(&s->pend_arena, 4096);
	if ((rc = th_vfs_new(&s->vfs, s->lim, err)))
		return rc;
	/* the pick keeps contents as they are: no notes of binaries */
	return picking ? 0 : th_elf_ctx_new(&s->elf, err);
}

static void img__scan_release(scan *s)
{
	th_elf_ctx_free(s->elf);
	th_vfs_free(s->vfs);
	th_buf_release(&s->content);
	th_buf_release(&s->note);
	th_buf_release(&s->log);
	th_arena_release(&s->arena);
	th_arena_release(&s->pend_arena);
	free(s->pend);
}

int th_image_scan(const char *ref, const th_image_opts *opts, const th_image_sink *sink, th_error *err)
{
	scan fs, ps; /* the facts' tree, the pick's */
	run r;
	struct stat st;
	int fd = -1, rc;
	th_ociarchive *ar = NULL;
	const th_image_pick *pk = opts->pick;

	memset(&r, 0, sizeof(r));
	r.o = opts;
	r.sink = sink;
	r.pre = (th_buf)TH_BUF_INIT;
	memset(&fs, 0, sizeof(fs));
	memset(&ps, 0, sizeof(ps));
	if (!pk || !pk->only) {
		r.v[r.n++] = r.facts = &fs;
		if ((rc = img__scan_init(&fs, opts, sink, false, err)))
			goto done;
	}
	if (pk) {
		r.v[r.n++] = &ps;
		if ((rc = img__scan_init(&ps, opts, sink, true, err)))
			goto done;
	}
	if (opts->platform) {
		/* OS/ARCH[/VARIANT], checked before anything is read, whatever the input */
		const char *p = opts->platform, *s1 = strchr(p, '/'), *s2 = s1 ? strchr(s1 + 1, '/') : NULL;
		if (!s1 || s1 == p || !s1[1] || s1[1] == '/' || (s2 && (!s2[1] || strchr(s2 + 1, '/')))) {
			rc = th_error_set(err, TH_ERR_USAGE, "--platform must be OS/ARCH[/VARIANT], not '%s'", p);
			goto done;
		}
	}
	fd = open(ref, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		rc = th_error_set(err, errno == ENOENT ? TH_ERR_NOTFOUND : TH_ERR_IO, "%s: cannot open: %s", ref,
				  strerror(errno));
		goto done;
	}
	if (S_ISDIR(st.st_mode)) {
		struct stat lst;
		if (!fstatat(fd, "oci-layout", &lst, AT_SYMLINK_NOFOLLOW) || !fstatat(fd, "index.json", &lst, AT_SYMLINK_NOFOLLOW))
			rc = img__oci(&r, ref, fd, -1, NULL, err);
		else
			rc = img__rootfs(&r, ref, fd, err);
	} else if (S_ISREG(st.st_mode)) {
		if (!(rc = th_ociarchive_open(&ar, fd, ref, opts->lim, err)))
			rc = img__oci(&r, ref, -1, fd, ar, err);
	} else {
		rc = th_error_set(err, TH_ERR_INVALID, "%s: not a directory or an archive", ref);
	}
	if (!rc && r.facts)
		rc = img__facts(r.facts, err);
	if (!rc && pk) {
		pickwalk pw = { pk };
		rc = th_vfs_walk(ps.vfs, img__pick_visit, &pw, err);
	}
	if (!rc && opts->stats) {
		th_vfs_stats vs;
		th_vfs_stats_get(r.v[0]->vfs, &vs);
		*opts->stats = (th_image_stats){ vs.nodes, vs.created, vs.tree_bytes, vs.data_bytes };
	}
done:
	if (opts->streams)
		*opts->streams += r.streams;
	th_ociarchive_free(ar);
	if (fd >= 0)
		close(fd);
	img__scan_release(&fs);
	img__scan_release(&ps);
	th_buf_release(&r.pre);
	return rc;
}
