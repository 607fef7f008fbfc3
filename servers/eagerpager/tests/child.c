/*
 * A child for the eager pager's runner, built once per mode (CHILD_*):
 *   exit   its image and stack were loaded before it ran: exits with 7
 *   wild   reads the stack's guard page: killed, invalid address
 *   ro     writes its read-only data: killed, protection
 *   nx     calls code in a data page: killed, protection
 */
#include <ipc/print.h>
#include <ipc/process.h>
#include <ipc/syscall.h>

#define STACK_BOTTOM (PROCESS_STACK_TOP - PROCESS_STACK_SIZE)

#if defined(CHILD_exit)
static volatile int data = 42, bss;

int main(void)
{
    /* Let the runner reach its wait first, so the exit answers a saved reply. */
    for (int i = 0; i < 100; i++)
        sys_yield();
    struct pager_stats before, after;
    if (pager_stats(&before))
        return 2;                         /* no statistics: nothing to compare */
    volatile uint8_t *deep = (volatile uint8_t *)STACK_BOTTOM;
    int ok = data == 42 && bss == 0 && *deep == 0;
    *deep = bss = 1;
    if (pager_stats(&after))
        return 2;
    return ok && after.page_faults == before.page_faults ? 7 : 1;
}
#elif defined(CHILD_wild)
int main(void)
{
    return *(volatile int *)(STACK_BOTTOM - 8);
}
#elif defined(CHILD_ro)
static const int constant = 5;

int main(void)
{
    *(volatile int *)&constant = 6;
    return 0;
}
#elif defined(CHILD_nx)
int main(void)
{
    int64_t a = mmap(0, 4096, PROT_READ | PROT_WRITE, 0);
    if (a < 0)
        return 1;
    *(volatile uint8_t *)a = 0xc3;    /* ret */
    ((void (*)(void))a)();
    return 0;
}
#else
#error "build with one CHILD_* mode"
#endif
