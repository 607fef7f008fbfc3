/*
 * The init of a stacked pager in stacked_pagers (t_stacked.c): it checks
 * that its pager says it is stacked, makes a family under it (with fork
 * when the pager offers it: children that write copy-on-write pages, one
 * of them exiting with a status its parent checks; else spawned
 * s_sleeper children), reports to t_stacked over the endpoint it was
 * given (CHILD_GIFT_HANDLE, handed on by the stacked pager), and then
 * does what the answer says: block with its family alive, or return 5
 * while its children still run.
 */
#include "../utest/utest.h"

#define PAGES 64

static uint8_t *touch_pages(uint8_t value)
{
    int64_t a = mmap(0, PAGES * 4096, PROT_READ | PROT_WRITE, 0);
    if (a < 0)
        return 0;
    for (unsigned i = 0; i < PAGES; i++)
        ((volatile uint8_t *)a)[i * 4096] = value;
    return (uint8_t *)a;
}

/* A forked child: rewrites its copies, checks them, then exits with
 * `status` or blocks. */
static void child(uint8_t *pages, int status)
{
    for (unsigned i = 0; i < PAGES; i++)
        pages[i * 4096] = (uint8_t)(pages[i * 4096] + 1);
    for (unsigned i = 0; i < PAGES; i++)
        if (pages[i * 4096] != 2)
            exit(20);
    if (status)
        exit(status);
    utest_block();
}

/* 0 when the family is up as it should be. */
static int make_family(int64_t features)
{
    uint8_t *pages = touch_pages(1);
    if (!pages)
        return 1;
    if (!(features & PG_FEATURE_FORK))
        return spawn("s_sleeper.elf") < 0 || spawn("s_sleeper.elf") < 0 ? 2 : 0;
    for (int i = 0; i < 3; i++) {
        int64_t pid = fork();
        if (pid == 0)
            child(pages, i == 0 ? 7 : 0);
        if (pid < 0)
            return 3;
        if (i == 0) {
            int status = -1;
            if (wait_pid(pid, &status) != pid || status != 7)
                return 4;
        }
    }
    for (unsigned i = 0; i < PAGES; i++)
        if (pages[i * 4096] != 1)
            return 5;                 /* the children's writes showed through */
    struct pager_stats s;
    utest_pager_stats(&s);
    return s.copies_performed >= PAGES ? 0 : 6;   /* at least the first child's writes */
}

int main(void)
{
    int64_t features = pager_info(0);
    int err = features < 0 || !(features & PG_FEATURE_STACKED) ? 10 : make_family(features);
    struct ipc_msg m = { .tag = 1, .w = { err ? (uint64_t)err : 42, (uint64_t)features } };
    if (sys_call(CHILD_GIFT_HANDLE, &m).status)
        return 30;
    if (m.w[0] == 1)
        return 5;                     /* our children are still alive */
    utest_block();
    return 0;
}
