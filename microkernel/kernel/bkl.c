/* The big kernel lock; see bkl.h. */
#include <arch/percpu.h>
#include <arch/smp.h>
#include <arch/tlb.h>
#include <kernel/bkl.h>
#include <kernel/sched.h>
#include <stdint.h>

bool smp_running;

/* The next ticket to give and the one being served, on their own lines:
 * waiters read `serving` while newcomers write `next`. */
static struct {
    uint32_t next __attribute__((aligned(64)));
    uint32_t serving __attribute__((aligned(64)));
    int holder;                      /* CPU index, -1: free (for bkl_held) */
} lock = { .holder = -1 };

void bkl_acquire(void)
{
    uint32_t ticket = __atomic_fetch_add(&lock.next, 1, __ATOMIC_RELAXED);
    while (__atomic_load_n(&lock.serving, __ATOMIC_ACQUIRE) != ticket) {
        smp_serve_requests();
        __builtin_ia32_pause();
    }
    lock.holder = (int)PERCPU(unsigned, CPU_INDEX);
    tlb_kernel_sync();
}

void bkl_release(void)
{
    lock.holder = -1;
    __atomic_store_n(&lock.serving, lock.serving + 1, __ATOMIC_RELEASE);
}

bool bkl_held(void)
{
    return lock.holder == (int)PERCPU(unsigned, CPU_INDEX);
}

bool bkl_enter(bool by_syscall)
{
    bkl_acquire();
    return sched_entry_check(by_syscall);
}
