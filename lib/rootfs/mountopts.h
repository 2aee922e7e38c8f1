/* config.json mount "options" → mount(2) flags, propagation changes,
 * recursive mount_setattr(2) attributes and the filesystem data string. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mount.h>
#include "base/err.h"

struct mount_opts {
	unsigned long flags;		/* MS_* to set (MS_BIND, MS_REC, MS_RDONLY, MS_REMOUNT...) */
	unsigned long clear;		/* MS_* that an option explicitly cleared ("rw", "suid", "atime"...) */
	unsigned long *propagation;	/* MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE [|MS_REC], in order */
	size_t n_propagation;
	uint64_t rec_set, rec_clr;	/* MOUNT_ATTR_* for mount_setattr(AT_RECURSIVE) ("rro", "rnosuid"...) */
	char *data;			/* unknown options joined by ',' (NULL when none) */
	bool tmpcopyup;
	bool idmap, ridmap;
};

/* Parse options[0..n). *o is zeroed first; free with mountopts_free(). Never fails on an
 * unknown option (it goes to data); returns -ENOMEM only. */
int mountopts_parse(char *const *options, size_t n, struct mount_opts *o, struct oerr *e);
void mountopts_free(struct mount_opts *o);

/* The i-th option name this parser acts on (config.md's, mount(8)'s and
 * the recursive ones), NULL past the end: `features` lists them. */
const char *mountopts_name(size_t i);

/* "rslave" → MS_SLAVE|MS_REC, "shared" → MS_SHARED ...; -EINVAL when name is no propagation. */
int mountopts_propagation(const char *name, unsigned long *flags);

/* Per-mount MS_* flags to set and to clear → mount_setattr(2) attr_set/attr_clr.
 * Only the flags a mount (not a superblock) carries are translated: ro, nosuid, nodev,
 * noexec, the atime family, nodiratime, nosymfollow. */
void mountopts_ms_to_attr(unsigned long set, unsigned long clear, uint64_t *attr_set, uint64_t *attr_clr);
