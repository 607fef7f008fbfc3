/* Starting the root task: the first boot module, in its own space, with
 * all memory the kernel does not keep mapped in a window of that space. */
#ifndef KERNEL_ROOT_H
#define KERNEL_ROOT_H

#include <boot/bootinfo.h>

#define ROOT_PRIORITY 12

/* Builds the root task from module 0 and makes it ready. Returns a reason
 * on failure (no module, out of memory), NULL on success. */
const char *root_start(const struct bootinfo *bi);

#endif
