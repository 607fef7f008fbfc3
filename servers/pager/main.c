/* The default pager: its policy table for libpager. */
#include "pager.h"

struct pmem pmem[LP_MAX_PROCS];

static const struct lp_policy lazy_cow = {
    .name = "pager",
    .features = PG_FEATURE_COMMIT | PG_FEATURE_LAZY,
    .load = mem_load,
    .fault = fault_handle,
    .mmap = mem_mmap,
    .mprotect = mem_mprotect,
    .munmap = mem_munmap,
    .fork = mem_fork,
    .exit = mem_exit,
    .module = mem_module,
};

int main(uint64_t arg) { return lp_main(&lazy_cow, arg); }
