/* A child of s_family under a pager without fork: memory, then blocks. */
#include "../utest/utest.h"

int main(void)
{
    int64_t a = mmap(0, 16 * 4096, PROT_READ | PROT_WRITE, 0);
    for (unsigned i = 0; a >= 0 && i < 16; i++)
        ((volatile uint8_t *)a)[i * 4096] = 1;
    utest_block();
    return 0;
}
