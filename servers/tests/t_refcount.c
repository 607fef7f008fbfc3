/* COW with refcount 1: once the child is gone, the parent's write needs no
 * copy, only the mapping made writable again. */
#include "../utest/utest.h"

int main(void)
{
    const char *name = "cow_refcount_one_no_copy";
    int64_t a = mmap(0, 4096, PROT_READ | PROT_WRITE, 0);
    volatile uint64_t *p = (volatile uint64_t *)a;
    *p = 5;
    int64_t pid = fork();
    if (pid == 0)
        exit(0);                              /* leaves without touching the page */
    int status;
    wait_pid(pid, &status);
    struct pager_stats before, after;
    utest_pager_stats(&before);
    *p = 6;                                   /* read-only since fork, refcount 1 now */
    utest_pager_stats(&after);
    if (after.copies_performed != before.copies_performed)
        return utest_fail(name, "a copy was made", after.copies_performed - before.copies_performed, 0);
    if (after.cow_faults_handled != before.cow_faults_handled + 1)
        return utest_fail(name, "no COW fault seen", after.cow_faults_handled - before.cow_faults_handled, 1);
    if (*p != 6)
        return utest_fail(name, "value lost", *p, 6);
    return utest_pass(name);
}
