/*
 * How a run ends under QEMU: a value written to isa-debug-exit (port 0xf4)
 * makes QEMU exit with status (value << 1) | 1. scripts/run-ovmf.sh maps
 * these to its own exit status (see docs/boot.md):
 *
 *   value  QEMU status  meaning                       run-ovmf.sh
 *   0x10   33           clean end, all went well      0
 *   0x11   35           kernel panic / exception      2
 *   0x12   37           loader failure                3
 *   0x13   39           a test reported failure       4
 *   0x14   41           every thread waits for good   5   (only with idle=exit)
 *   0x15   43           the root task died, and then  6
 *                       every other task ended
 */
#ifndef BOOT_EXITCODE_H
#define BOOT_EXITCODE_H

#define DEBUG_EXIT_PORT      0xf4
#define EXIT_SUCCESS_VALUE   0x10
#define EXIT_PANIC_VALUE     0x11
#define EXIT_LOADER_VALUE    0x12
#define EXIT_TESTFAIL_VALUE  0x13
#define EXIT_IDLE_VALUE      0x14
#define EXIT_ROOT_DIED_VALUE 0x15

#endif
