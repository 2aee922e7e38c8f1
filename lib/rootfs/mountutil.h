/* Mount primitives that act on file descriptors instead of paths, so that a path
 * swapped for a symlink after it was resolved cannot redirect a mount. All return 0
 * (or an fd) or -errno, without filling an oerr: callers name the mount. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* mount(2) a new filesystem (or a remount, or a propagation change when type is NULL)
 * onto the object target_fd refers to, through /proc/self/fd/<target_fd>. */
int mnt_at_fd(const char *src, int target_fd, const char *type, unsigned long flags, const char *data);

/* Detached copy of the mount (tree when recursive) at src_dfd/src_path (open_tree
 * OPEN_TREE_CLONE); src_path "" means src_dfd itself. Returns the tree fd. */
int mnt_clone(int src_dfd, const char *src_path, bool recursive);

/* Attach the detached tree tree_fd onto target_fd (move_mount). */
int mnt_attach(int tree_fd, int target_fd);

/* mount_setattr(2) on the mount fd refers to (and every mount below when recursive). */
int mnt_setattr(int fd, bool recursive, uint64_t attr_set, uint64_t attr_clr);

/* Propagation change (MS_SHARED, MS_SLAVE, MS_PRIVATE or MS_UNBINDABLE, | MS_REC for
 * the whole tree) on the mount fd refers to. */
int mnt_propagation(int fd, unsigned long ms);

/* A new, detached mount of a filesystem of the given type (fsopen/fsmount), configured
 * with params, a NULL-terminated list of "key=value" or "flag" strings, and carrying
 * the MOUNT_ATTR_* attrs. Returns the mount fd. */
int mnt_new_fs(const char *type, const char *const *params, uint64_t attrs);

/* Id of the mount fd lives on (statx STATX_MNT_ID). */
int mnt_id_of(int fd, uint64_t *id);

/* Whether the mount fd lives on has its root at fd (fd is a mount point). */
int mnt_is_root(int fd, bool *root);
