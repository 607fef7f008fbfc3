/* Helpers shared by the user-level test programs run under a pager. */
#ifndef UTEST_H
#define UTEST_H

#include <ipc/print.h>
#include <ipc/process.h>
#include <ipc/syscall.h>

static inline int utest_fail(const char *name, const char *why, uint64_t a, uint64_t b)
{
    printf("TEST %s fail %s (%lu, %lu)\n", name, why, a, b);
    return 1;
}

static inline int utest_pass(const char *name)
{
    printf("TEST %s pass\n", name);
    return 0;
}

/* The pager's statistics. Without them no before/after check means
 * anything (0 compared with 0 passes): the program fails at once instead. */
static inline void utest_pager_stats(struct pager_stats *s)
{
    int err = pager_stats(s);
    if (err) {
        printf("TEST utest_pager_stats fail the pager gave no statistics (%d)\n", err);
        exit(99);
    }
}

static inline uint64_t utest_frames_free(void)
{
    struct pager_stats s;
    utest_pager_stats(&s);
    return s.frames_free;
}

/* Blocks forever: a receive on an endpoint nobody else holds. */
static inline void utest_block(void)
{
    handle_t ep;
    struct ipc_msg m;
    sys_endpoint_create(&ep);
    sys_recv(ep, &m);
}

#endif
