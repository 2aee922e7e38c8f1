/* tmpcopyup: fill a fresh tmpfs with what the directory it covers held. */
#pragma once
#include "base/err.h"

/* Copy the tree under src_dir (a directory fd of any kind, O_PATH included, such as
 * one opened before the tmpfs covered it) into dst_dir, keeping file types, modes,
 * owners, symlinks and device nodes. dst_dir's own mode and owner follow src_dir's. */
int copyup_tree(int src_dir, int dst_dir, struct oerr *e);
