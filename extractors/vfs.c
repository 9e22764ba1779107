#include "extractors/vfs.h"

#include <stdlib.h>
#include <string.h>

#include "core/arena.h"

/* A node and its name in one arena allocation. Children are a doubly linked
 * list (removal is O(1), whiteouts and replacements are common); lookups go
 * through one hash table keyed by (parent, name). */
struct th_vfs_node {
	th_vfs_node *parent, *child, *prev, *next; /* tree */
	th_vfs_node *hnext;                        /* hash chain */
	const char *link;                          /* symlink target (arena) */
	const unsigned char *data;                 /* kept content (arena), or NULL */
	uint32_t data_len;
	uint32_t hash;
	uint16_t name_len;
	uint8_t type;
	uint16_t layer; /* index of the layer that made the node (capped, see vfs__layer) */
	char name[];
};

struct th_vfs {
	const th_limits *lim;
	th_arena arena;
	th_vfs_node *root;
	th_vfs_node **table;
	size_t nbuckets;
	th_vfs_stats st;
};

static uint32_t vfs__hash(const th_vfs_node *parent, const char *name, size_t len)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)(uintptr_t)parent;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)name[i]) * 1099511628211ull;
	return (uint32_t)(h ^ (h >> 32));
}

int th_vfs_new(th_vfs **out, const th_limits *lim, th_error *err)
{
	th_vfs *v = calloc(1, sizeof(*v));

	*out = NULL;
	if (!v)
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	v->lim = lim;
	th_arena_init(&v->arena, 256 * 1024);
	v->nbuckets = 4096;
	v->table = calloc(v->nbuckets, sizeof(*v->table));
	v->root = th_arena_zalloc(&v->arena, sizeof(th_vfs_node) + 1);
	if (!v->table || !v->root) {
		th_vfs_free(v);
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	}
	v->root->type = TH_VFS_DIR;
	*out = v;
	return 0;
}

void th_vfs_free(th_vfs *v)
{
	if (!v)
		return;
	th_arena_release(&v->arena);
	free(v->table);
	free(v);
}

static th_vfs_node *vfs__find(const th_vfs *v, const th_vfs_node *dir, const char *name, size_t len)
{
	uint32_t h = vfs__hash(dir, name, len);

	for (th_vfs_node *n = v->table[h & (v->nbuckets - 1)]; n; n = n->hnext)
		if (n->hash == h && n->parent == dir && n->name_len == len && !memcmp(n->name, name, len))
			return n;
	return NULL;
}

static int vfs__grow(th_vfs *v)
{
	size_t nb = v->nbuckets * 2;
	th_vfs_node **t = calloc(nb, sizeof(*t));

	if (!t)
		return TH_ERR_NOMEM;
	for (size_t i = 0; i < v->nbuckets; i++) {
		th_vfs_node *n = v->table[i], *next;
		for (; n; n = next) {
			next = n->hnext;
			n->hnext = t[n->hash & (nb - 1)];
			t[n->hash & (nb - 1)] = n;
		}
	}
	free(v->table);
	v->table = t;
	v->nbuckets = nb;
	return 0;
}

/* Layer indexes are stored in 16 bits; images have at most a few hundred
 * layers, and past the cap only "from a lower layer" would blur. */
static uint16_t vfs__layer(unsigned layer)
{
	return (uint16_t)(layer > UINT16_MAX ? UINT16_MAX : layer);
}

static th_vfs_node *vfs__create(th_vfs *v, th_vfs_node *dir, const char *name, size_t len, th_vfs_type type,
				unsigned layer, th_error *err)
{
	th_vfs_node *n;

	if (len > v->lim->name_bytes) {
		th_error_set(err, TH_ERR_LIMIT, "path component of %zu bytes exceeds %llu (name_bytes)", len,
			     (unsigned long long)v->lim->name_bytes);
		return NULL;
	}
	if (v->st.nodes >= v->nbuckets && vfs__grow(v)) {
		th_error_set(err, TH_ERR_NOMEM, "out of memory");
		return NULL;
	}
	n = th_arena_alloc(&v->arena, sizeof(*n) + len + 1);
	if (!n) {
		th_error_set(err, TH_ERR_NOMEM, "out of memory");
		return NULL;
	}
	memset(n, 0, sizeof(*n));
	memcpy(n->name, name, len);
	n->name[len] = '\0';
	n->name_len = (uint16_t)len;
	n->type = (uint8_t)type;
	n->layer = vfs__layer(layer);
	n->parent = dir;
	n->hash = vfs__hash(dir, name, len);
	n->hnext = v->table[n->hash & (v->nbuckets - 1)];
	v->table[n->hash & (v->nbuckets - 1)] = n;
	n->next = dir->child;
	if (dir->child)
		dir->child->prev = n;
	dir->child = n;
	v->st.nodes++;
	v->st.created++;
	v->st.tree_bytes += sizeof(*n) + len + 1;
	return n;
}

/* Unlinks a node and its whole subtree from the tree and the hash table.
 * The memory stays in the arena until the tree is freed. */
static void vfs__remove(th_vfs *v, th_vfs_node *n)
{
	while (n->child)
		vfs__remove(v, n->child);
	th_vfs_node **pp = &v->table[n->hash & (v->nbuckets - 1)];
	while (*pp && *pp != n)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = n->hnext;
	if (n->prev)
		n->prev->next = n->next;
	else
		n->parent->child = n->next;
	if (n->next)
		n->next->prev = n->prev;
	v->st.nodes--;
}

/* The next path component at *i (skipping nothing): sets *c and *clen and
 * moves *i past the component and its slash. */
static void vfs__component(const char *p, size_t len, size_t *i, const char **c, size_t *clen)
{
	size_t j = *i;

	while (j < len && p[j] != '/')
		j++;
	*c = p + *i;
	*clen = j - *i;
	*i = j + 1;
}

/* Resolves `path` from `start`. See the header for the rules. */
static int vfs__resolve(th_vfs *v, th_vfs_node *start, const char *path, size_t len, bool follow_last,
			unsigned *depth, th_vfs_node **out, th_error *err)
{
	th_vfs_node *cur = start;
	size_t i = 0;

	if (len && path[0] == '/')
		cur = v->root;
	while (i < len) {
		const char *c;
		size_t clen;
		vfs__component(path, len, &i, &c, &clen);
		bool last = true;
		for (size_t k = i; k < len; k++)
			if (path[k] != '/') {
				last = false;
				break;
			}
		if (clen == 0 || (clen == 1 && c[0] == '.'))
			continue;
		if (cur->type != TH_VFS_DIR)
			return TH_ERR_NOTFOUND;
		if (clen == 2 && c[0] == '.' && c[1] == '.') {
			if (cur->parent)
				cur = cur->parent;
			continue;
		}
		th_vfs_node *n = vfs__find(v, cur, c, clen);
		if (!n)
			return TH_ERR_NOTFOUND;
		if (n->type == TH_VFS_SYMLINK && (!last || follow_last)) {
			int rc;
			if (++*depth > v->lim->symlink_depth)
				return th_error_set(err, TH_ERR_LIMIT,
						    "symlink loop or more than %llu symlinks to follow (symlink_depth)",
						    (unsigned long long)v->lim->symlink_depth);
			if ((rc = vfs__resolve(v, cur, n->link, strlen(n->link), true, depth, &n, err)))
				return rc;
		}
		cur = n;
	}
	*out = cur;
	return 0;
}

int th_vfs_lookup(th_vfs *v, const char *path, bool follow, const th_vfs_node **out, th_error *err)
{
	th_vfs_node *n = NULL;
	unsigned depth = 0;
	int rc = vfs__resolve(v, v->root, path, strlen(path), follow, &depth, &n, err);

	*out = rc ? NULL : n;
	if (rc == TH_ERR_NOTFOUND)
		th_error_set(err, rc, "%s: no such file in the image", path);
	return rc;
}

const th_vfs_node *th_vfs_child(th_vfs *v, const th_vfs_node *dir, const char *name)
{
	return dir && dir->type == TH_VFS_DIR ? vfs__find(v, dir, name, strlen(name)) : NULL;
}

/* Splits an entry path into its parent directory (created or resolved as
 * needed) and its last component. Returns 1 when the entry must be skipped. */
static int vfs__parent(th_vfs *v, unsigned layer, const char *p, size_t len, th_vfs_node **dir,
		       const char **name, size_t *name_len, th_error *err)
{
	th_vfs_node *cur = v->root;
	const char *last = NULL;
	size_t last_len = 0, i = 0;

	while (i < len) {
		const char *c;
		size_t clen;
		vfs__component(p, len, &i, &c, &clen);
		if (clen == 0 || (clen == 1 && c[0] == '.'))
			continue;
		if (clen == 2 && c[0] == '.' && c[1] == '.')
			return 1;
		if (memchr(c, '\0', clen))
			return 1;
		if (last) {
			/* The previous component is a directory on the way. */
			th_vfs_node *n = vfs__find(v, cur, last, last_len);
			if (n && n->type == TH_VFS_SYMLINK) {
				unsigned depth = 1;
				th_vfs_node *t;
				int rc = vfs__resolve(v, cur, n->link, strlen(n->link), true, &depth, &t, err);
				if (rc == TH_ERR_NOTFOUND || (rc == 0 && t->type != TH_VFS_DIR))
					return 1;
				if (rc == TH_ERR_LIMIT) {
					th_error_clear(err);
					return 1;
				}
				if (rc)
					return rc;
				n = t;
			} else if (n && n->type != TH_VFS_DIR) {
				vfs__remove(v, n);
				n = NULL;
			}
			if (!n && !(n = vfs__create(v, cur, last, last_len, TH_VFS_DIR, layer, err)))
				return err ? err->code : TH_ERR_NOMEM;
			cur = n;
		}
		last = c;
		last_len = clen;
	}
	if (!last)
		return 1; /* the root itself: nothing to apply */
	*dir = cur;
	*name = last;
	*name_len = last_len;
	return 0;
}

static int vfs__keep(th_vfs *v, th_vfs_node *n, const void *data, size_t len, th_error *err)
{
	unsigned char *copy;

	if (!data)
		return 0;
	if (len > UINT32_MAX)
		return th_error_set(err, TH_ERR_LIMIT, "%s: kept content too large", n->name);
	copy = th_arena_alloc(&v->arena, len + 1);
	if (!copy)
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	memcpy(copy, data, len);
	copy[len] = '\0'; /* text parsers may rely on it; len excludes it */
	n->data = copy;
	n->data_len = (uint32_t)len;
	v->st.data_bytes += len;
	return 0;
}

static int vfs__whiteout(th_vfs *v, unsigned layer, th_vfs_node *dir, const char *name, size_t len)
{
	if (len == 12 && !memcmp(name, ".wh..wh..opq", 12)) {
		th_vfs_node *c = dir->child, *next;
		for (; c; c = next) {
			next = c->next;
			if (c->layer < vfs__layer(layer))
				vfs__remove(v, c);
		}
		return 0;
	}
	if (len > 8 && !memcmp(name, ".wh..wh.", 8))
		return 0; /* other AUFS metadata (hardlink dirs): not content */
	th_vfs_node *n = vfs__find(v, dir, name + 4, len - 4);
	if (n)
		vfs__remove(v, n);
	return 0;
}

int th_vfs_apply(th_vfs *v, unsigned layer, const th_layer_entry *e, const void *data, size_t len,
		 th_error *err)
{
	th_vfs_node *dir = NULL, *old, *n;
	const char *name = NULL;
	size_t nlen = 0;
	int rc;

	rc = vfs__parent(v, layer, e->path, e->path_len, &dir, &name, &nlen, err);
	if (rc) {
		if (rc > 0)
			v->st.skipped++;
		return rc;
	}
	if (nlen >= 4 && !memcmp(name, ".wh.", 4))
		return vfs__whiteout(v, layer, dir, name, nlen);
	old = vfs__find(v, dir, name, nlen);
	if (e->type == TH_ENTRY_DIR) {
		if (old && old->type == TH_VFS_DIR)
			return 0;
		if (old)
			vfs__remove(v, old);
		return vfs__create(v, dir, name, nlen, TH_VFS_DIR, layer, err) ? 0 : err ? err->code : TH_ERR_NOMEM;
	}
	if (e->type == TH_ENTRY_HARDLINK) {
		/* The link's target as it stands now; never followed past the tree. */
		th_vfs_node *t = NULL;
		unsigned depth = 0;
		if (memchr(e->link, '\0', e->link_len) ||
		    vfs__resolve(v, v->root, e->link, e->link_len, false, &depth, &t, NULL) || t->type != TH_VFS_FILE) {
			th_error_clear(err);
			v->st.skipped++;
			return 1;
		}
		if (t == old)
			return 0;
		if (old)
			vfs__remove(v, old);
		if (!(n = vfs__create(v, dir, name, nlen, TH_VFS_FILE, layer, err)))
			return err ? err->code : TH_ERR_NOMEM;
		n->data = t->data;
		n->data_len = t->data_len;
		return 0;
	}
	if (old)
		vfs__remove(v, old);
	n = vfs__create(v, dir, name, nlen,
			e->type == TH_ENTRY_FILE ? TH_VFS_FILE : e->type == TH_ENTRY_SYMLINK ? TH_VFS_SYMLINK : TH_VFS_OTHER,
			layer, err);
	if (!n)
		return err ? err->code : TH_ERR_NOMEM;
	if (e->type == TH_ENTRY_SYMLINK) {
		char *l = th_arena_strndup(&v->arena, e->link, e->link_len);
		if (!l)
			return th_error_set(err, TH_ERR_NOMEM, "out of memory");
		n->link = l;
		v->st.tree_bytes += e->link_len + 1;
		return 0;
	}
	return e->type == TH_ENTRY_FILE ? vfs__keep(v, n, data, len, err) : 0;
}

static int vfs__walk(th_vfs_node *dir, th_buf *path, th_vfs_visit_fn fn, void *ud, th_error *err)
{
	for (th_vfs_node *c = dir->child; c; c = c->next) {
		size_t keep = path->len;
		int rc;
		if ((rc = th_buf_putc(path, '/', err)) || (rc = th_buf_put(path, c->name, c->name_len, err)))
			return rc;
		if ((rc = fn(ud, path->ptr, path->len, c)))
			return rc;
		if (c->type == TH_VFS_DIR && (rc = vfs__walk(c, path, fn, ud, err)))
			return rc;
		path->len = keep;
		path->ptr[keep] = '\0';
	}
	return 0;
}

int th_vfs_walk(th_vfs *v, th_vfs_visit_fn fn, void *ud, th_error *err)
{
	th_buf path = TH_BUF_INIT;
	int rc = vfs__walk(v->root, &path, fn, ud, err);

	th_buf_release(&path);
	return rc;
}

int th_vfs_path(const th_vfs_node *n, th_buf *out, th_error *err)
{
	size_t total = 0;
	int rc;

	th_buf_clear(out);
	for (const th_vfs_node *p = n; p && p->parent; p = p->parent)
		total += 1 + p->name_len;
	if (!total)
		return th_buf_putc(out, '/', err);
	if ((rc = th_buf_grow(out, total, err)))
		return rc;
	out->len = total;
	out->ptr[total] = '\0';
	for (const th_vfs_node *p = n; p && p->parent; p = p->parent) {
		total -= p->name_len;
		memcpy(out->ptr + total, p->name, p->name_len);
		out->ptr[--total] = '/';
	}
	return 0;
}

th_vfs_type th_vfs_node_type(const th_vfs_node *n)
{
	return (th_vfs_type)n->type;
}

const char *th_vfs_node_name(const th_vfs_node *n)
{
	return n->name;
}

const th_vfs_node *th_vfs_node_parent(const th_vfs_node *n)
{
	return n->parent;
}

const char *th_vfs_node_link(const th_vfs_node *n)
{
	return n->link;
}

const void *th_vfs_node_data(const th_vfs_node *n, size_t *len)
{
	*len = n->data ? n->data_len : 0;
	return n->data;
}

unsigned th_vfs_node_layer(const th_vfs_node *n)
{
	return n->layer;
}

void th_vfs_stats_get(const th_vfs *v, th_vfs_stats *out)
{
	*out = v->st;
}
