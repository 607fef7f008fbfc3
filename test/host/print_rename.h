/*
 * Renames libipc's printf family to ipc_* for the host tests (see
 * test_print.c): CMakeLists.txt force-includes this into format.c, and
 * test_print.c includes it just around <ipc/print.h>. Function-like macros,
 * so that the "printf" inside __attribute__((format(printf, ...))) is left
 * alone.
 */
#define printf(...) ipc_printf(__VA_ARGS__)
#define snprintf(...) ipc_snprintf(__VA_ARGS__)
#define vsnprintf(...) ipc_vsnprintf(__VA_ARGS__)
#define puts_raw(...) ipc_puts_raw(__VA_ARGS__)
