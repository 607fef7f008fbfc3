/* ktest with "crashpager": a pager that dies on purpose while a client
 * waits for it, beside a task it made that does not need it. The kernel
 * must kill the waiting client with the box; the other task goes with its
 * maker (everything a task made goes when it dies), and the run ends with
 * a clear status once no thread is left. */
#include "ktest.h"

static uint64_t needs_pager(struct child_args *a)
{
    (void)a;
    return *(volatile uint64_t *)0x0000100000000000ull;   /* faults: waits for us */
}

static uint64_t independent(struct child_args *a)
{
    (void)a;
    for (int i = 0; i < 3; i++) {
        printf("crashpager: independent task still running (%d)\n", i);
        sys_yield();
    }
    printf("crashpager: independent task done\n");
    return 0;
}

void crash_as_pager(void)
{
    handle_t ep;
    struct child waiting, other;
    sys_endpoint_create(&ep);
    child_spawn(&waiting, needs_pager, 0, ep, 1, CHILD_PRIORITY);
    child_spawn(&other, independent, 0, 0, 0, CHILD_PRIORITY);
    sys_thread_start(waiting.thread);
    struct ipc_msg m;
    sys_recv(ep, &m);                          /* the client's fault: never answered */
    printf("crashpager: got a fault for 0x%lx; now crashing\n", m.w[0]);
    sys_thread_start(other.thread);
    __asm__ volatile("ud2");
}
