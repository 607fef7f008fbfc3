/* Loader failures: one clear message, one distinct exit status. */
#include "loader.h"

static void debug_exit(uint32_t value)
{
    /* isa-debug-exit at 0xf4 in our QEMU runs; an unused port elsewhere. */
    __asm__ volatile("outl %0, %1" : : "a"(value), "Nd"((uint16_t)DEBUG_EXIT_PORT));
}

EFI_STATUS loader_fail(const char *what, const char *why)
{
    Print(L"\r\nloader: error: %a: %a\r\n", what, why);
    Print(L"PANIC loader: %a: %a\r\n", what, why);
    debug_exit(EXIT_LOADER_VALUE);
    return EFI_LOAD_ERROR;
}
