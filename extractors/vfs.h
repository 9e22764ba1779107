/*
 * vfs — the squashed virtual file tree of an image, built in memory from its
 * layers in order, never on disk.
 *
 * Each layer's tar entries are applied with the rules of OCI layers:
 * `.wh.NAME` deletes NAME from the layers below, `.wh..wh..opq` empties its
 * directory of everything the layers below put there, a file replaces a
 * directory (and its whole subtree) and a directory replaces a file, a
 * hardlink copies what its target is at that moment. Entry paths are taken
 * relative to the image root: a leading "/" or "./" is dropped; a path with
 * a ".." component is skipped (and counted in th_vfs_stats' skipped), since
 * no layer tool writes one and it can only be an attempt to escape.
 *
 * Symlinks are stored, never followed at apply time except for a parent
 * directory of a later entry, and then only inside the tree: an absolute
 * target starts again at the image root, ".." stops at the root, at most
 * lim->symlink_depth links are followed per lookup (more is TH_ERR_LIMIT:
 * a loop or a chain too deep). Nothing here touches the host file system.
 *
 * Only file contents a caller chooses to keep are stored (bytes copied into
 * the tree's arena); everything else is a name and a type. The node costs
 * are measured by th_vfs_stats.
 */
#ifndef TH_VFS_H
#define TH_VFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/limits.h"
#include "extractors/layer.h"

typedef struct th_vfs th_vfs;
typedef struct th_vfs_node th_vfs_node;

typedef enum th_vfs_type {
	TH_VFS_DIR = 0,
	TH_VFS_FILE,
	TH_VFS_SYMLINK,
	TH_VFS_OTHER
} th_vfs_type;

int th_vfs_new(th_vfs **out, const th_limits *lim, th_error *err);
void th_vfs_free(th_vfs *v);

/* Applies one entry of layer `layer` (layers are applied in increasing
 * order). data/len: the content to keep for a regular file, or NULL.
 * Returns 0 when applied, 1 when skipped as unsafe or unresolvable (counted),
 * or a negative code (limits, memory). */
int th_vfs_apply(th_vfs *v, unsigned layer, const th_layer_entry *e, const void *data, size_t len,
		 th_error *err);

/* Finds a path (absolute or relative to the root). follow: also follow a
 * symlink in the last component. TH_ERR_NOTFOUND when absent, TH_ERR_LIMIT
 * on a loop or too deep a chain. */
int th_vfs_lookup(th_vfs *v, const char *path, bool follow, const th_vfs_node **out, th_error *err);

/* A child of a directory by name, without following anything; NULL if none. */
const th_vfs_node *th_vfs_child(th_vfs *v, const th_vfs_node *dir, const char *name);

/* Visits every node under the root, depth first, with its absolute path
 * ("/usr/lib"). Return non-zero from fn to stop; that value is returned. */
typedef int (*th_vfs_visit_fn)(void *ud, const char *path, size_t path_len, const th_vfs_node *n);
int th_vfs_walk(th_vfs *v, th_vfs_visit_fn fn, void *ud, th_error *err);

/* The absolute path of a node. */
int th_vfs_path(const th_vfs_node *n, th_buf *out, th_error *err);

th_vfs_type th_vfs_node_type(const th_vfs_node *n);
const char *th_vfs_node_name(const th_vfs_node *n);
const th_vfs_node *th_vfs_node_parent(const th_vfs_node *n);
const char *th_vfs_node_link(const th_vfs_node *n);     /* symlink target, else NULL */
/* Kept content (NULL when none was kept); *len its size. */
const void *th_vfs_node_data(const th_vfs_node *n, size_t *len);
unsigned th_vfs_node_layer(const th_vfs_node *n);

typedef struct th_vfs_stats {
	uint64_t nodes;      /* live nodes */
	uint64_t created;    /* nodes ever created */
	uint64_t skipped;    /* entries skipped as unsafe or unresolvable */
	uint64_t tree_bytes; /* arena bytes of nodes and names (excluding kept contents) */
	uint64_t data_bytes; /* bytes of kept contents */
} th_vfs_stats;

void th_vfs_stats_get(const th_vfs *v, th_vfs_stats *out);

#endif
