/*
 * Init that spends its whole kernel-memory account on endpoints, then
 * touches a page whose page tables its account cannot pay for: the
 * pager's reply is refused (IPC_ENOMEM) and the pager kills it. The pager
 * must then end the run with init's status (it once waited for ever):
 * test/qemu/cases/pager_init_out_of_kmem*.sh.
 */
#include "../utest/utest.h"

int main(void)
{
    handle_t h;
    unsigned made = 0;
    uint64_t err;
    while (!(err = sys_endpoint_create(&h)))
        made++;
    printf("t_kmem_init: %u endpoints, then status %lu\n", made, err);
    /* Pages 1 GiB apart, each with page tables of its own, until a fault's
     * tables cannot be paid for. */
    for (uint64_t i = 0; i < 100000; i++) {
        int64_t a = mmap(0x200000000000ull + (i << 30), 4096, PROT_READ | PROT_WRITE, MAP_FIXED);
        if (a < 0)
            return 2;
        *(volatile uint64_t *)a = 1;
    }
    printf("t_kmem_init: every touch was paid for\n");
    return 3;
}
