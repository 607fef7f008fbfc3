/* A second thread in the bench's own space (SELF_SPACE_HANDLE lets us
 * create threads; the pager backs their stacks like any of our memory). */
#include "bench.h"

#define STACK_SIZE (64 * 1024)

struct start {
    void (*fn)(uint64_t);
    uint64_t arg;
};

static void thread_entry(struct start *s)
{
    s->fn(s->arg);
    sys_exit(0);
}

handle_t bench_thread(void (*fn)(uint64_t), uint64_t arg)
{
    int64_t stack = mmap(0, STACK_SIZE, PROT_READ | PROT_WRITE, 0);
    if (stack < 0)
        return 0;
    struct start *s = (struct start *)(stack + STACK_SIZE - 64);
    s->fn = fn;
    s->arg = arg;
    handle_t t;
    if (sys_thread_create(SELF_SPACE_HANDLE, (uint64_t)thread_entry, (uint64_t)s - 8,
                          10, (uint64_t)s, &t) ||
        sys_thread_start(t))
        return 0;
    return t;
}
