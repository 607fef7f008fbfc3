/* The IPC fastpath with trace events: fastpath.c compiled a second time
 * (its functions named *_traced), called instead of it while tracing is
 * on (kernel/trace.h). */
#define FASTPATH_TRACED 1
#include "fastpath.c"
