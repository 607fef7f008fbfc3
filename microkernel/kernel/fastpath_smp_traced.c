/* The IPC fastpath for several CPUs, with trace events: fastpath.c with
 * FASTPATH_SMP and FASTPATH_TRACED (its functions named *_smp_traced). */
#define FASTPATH_SMP 1
#define FASTPATH_TRACED 1
#include "fastpath.c"
