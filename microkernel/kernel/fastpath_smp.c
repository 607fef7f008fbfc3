/* The IPC fastpath for several CPUs: fastpath.c compiled again with
 * FASTPATH_SMP (its functions named *_smp). */
#define FASTPATH_SMP 1
#include "fastpath.c"
