/* PG_MODULE, what a stacked pager loads its programs from: a module's
 * bytes, mapped read-only where mmap would put them; munmap removes them. */
#include "client.h"
#include "conformance.h"

static struct outcome module_mapped(void)
{
    struct ipc_msg m;
    int64_t r = pager_call_named(PG_MODULE, "conformance.elf", &m);
    if (r)
        return fail("PG_MODULE of our own module failed", r, 0);
    uint64_t addr = m.w[1], size = m.w[2];
    if (addr & (PAGE - 1) || size == 0)
        return fail("unaligned address or no size (address, size)", (int64_t)addr,
                    (int64_t)size);
    if (memcmp((const void *)addr, "\177ELF", 4))
        return fail("the bytes are not an ELF file", *(const uint8_t *)addr, 0x7f);
    if ((r = munmap(addr, (size + PAGE - 1) & ~(PAGE - 1))))
        return fail("munmap of the module failed", r, 0);
    r = pager_call_named(PG_MODULE, "no_such.elf", 0);
    return r == -(int64_t)PG_ENOENT ? pass() : fail("PG_MODULE of a missing module", r,
                                                    -(int64_t)PG_ENOENT);
}

const struct conf_test module_tests[] = {
    { "module_mapped", PG_FEATURE_MODULE, module_mapped },
    { 0, 0, 0 },
};
