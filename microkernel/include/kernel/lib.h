/* Freestanding helpers: the string functions (shared with user programs,
 * libipc/src/string.c) and a few macros. */
#ifndef KERNEL_LIB_H
#define KERNEL_LIB_H

#include <ipc/ulib.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#endif
