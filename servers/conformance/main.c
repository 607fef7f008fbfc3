/*
 * conformance: the runner, started as init under the pager to be judged
 * (docs/testing.md, "Pager conformance"). It asks the pager what it offers
 * (PG_INFO), runs every test that applies, one "TEST name pass|fail|skip"
 * line each, and exits with the number of failures.
 *
 * After every test the pager's free frames and live processes and the
 * kernel's object count must be where they were before it: a test that
 * passes but leaks fails. Only the pager's own statistics and
 * KINFO_OBJECTS are read, so a stacked pager is judged the same way.
 */
#include "client.h"
#include "conformance.h"

uint32_t features;

/* What a test must give back. */
struct counts {
    uint64_t frames_free, processes, objects;
};

static struct counts counts_now(void)
{
    struct pager_stats s = stats();
    return (struct counts){ s.frames_free, s.processes, sys_kernel_info(KINFO_OBJECTS) };
}

static struct outcome leak_check(struct counts before, struct counts after)
{
    if (after.frames_free != before.frames_free)
        return fail("pager frames_free not back (before, after)", (int64_t)before.frames_free,
                    (int64_t)after.frames_free);
    if (after.processes != before.processes)
        return fail("live processes not back (before, after)", (int64_t)before.processes,
                    (int64_t)after.processes);
    if (after.objects != before.objects)
        return fail("kernel objects not back (before, after)", (int64_t)before.objects,
                    (int64_t)after.objects);
    return pass();
}

/* Makes every page of our image (text and rodata read, data and bss
 * written), and 64 KiB of stack below us, present, so that no test's
 * count sees a page of our own come in (a pager may copy even read-only
 * image pages, as quotapager does). Data is read and written back
 * unchanged (nothing else runs in this process yet); the stack pages are
 * written below the page below ours, where nothing lives: our frame is
 * far smaller than a page. */
extern char __image_start[], __rodata_end[], __image_end[];
static void settle(void)
{
    for (volatile char *p = __image_start; p < __rodata_end; p += PAGE)
        (void)*p;
    for (volatile char *p = __rodata_end; p < __image_end; p += PAGE)
        *p = *p;
    volatile char here;
    uint64_t below = ((uint64_t)&here & ~(PAGE - 1)) - PAGE;
    for (uint64_t a = below - 15 * PAGE; a <= below; a += PAGE)
        *(volatile char *)a = 0;
}

/* One test or one program (test 0: spawn `program`), then the leak check
 * (not for keeps_pages: the image test, which touches our own pages for
 * good). */
static void run(const char *name, uint32_t needs, struct outcome (*test)(void),
                const char *program, int keeps_pages)
{
    uint32_t missing = needs & ~features;
    if (missing) {
        report(name, skip(missing));
        return;
    }
    struct counts before = counts_now();
    struct outcome o = test ? test() : run_program(program);
    if (!o.why && !o.skip && !keeps_pages)
        o = leak_check(before, counts_now());
    report(name, o);
}

static const struct conf_test *const tables[] = {
    memory_tests, stats_tests, request_tests, exhaust_tests, process_tests, fault_tests,
    fork_tests, module_tests,
};

/* The first handle beyond the two every process gets (1: the pager, 2: our
 * space) that we hold, or 0. Asked before we make any: a pager started
 * without a gift must hand init none (a stacked pager once handed on its
 * own endpoint, with every right, as handle 3). */
static handle_t stray_handle(void)
{
    for (handle_t h = CHILD_GIFT_HANDLE; h < 64; h++)
        if (!sys_handle_close(h))
            return h;
    return 0;
}

int main(void)
{
    handle_t stray = stray_handle();
    char name[16];
    int64_t got = pager_info(name);
    if (got < 0) {
        printf("TEST pager_info fail PG_INFO refused (%ld, 0)\n", got);
        return 1;
    }
    features = (uint32_t)got;
    char list[64];
    feature_list(features, list, sizeof(list));
    printf("conformance: pager %s features %s\n", name, list);
    report_start();
    report("init_handles", stray ? fail("a handle we were never given (number)", (int64_t)stray, 0)
                                 : pass());

    /* The image test first: it wants our pages as the pager made them. */
    run(image_test.name, image_test.needs, image_test.run, 0, 1);
    settle();
    struct counts start = counts_now();
    for (unsigned i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
        for (const struct conf_test *t = tables[i]; t->name; t++)
            run(t->name, t->needs, t->run, 0, 0);
    for (const struct conf_program *p = fork_programs; p->name; p++)
        run(p->name, p->needs, 0, p->module, 0);
    /* Everything above together, once more: nothing left behind. */
    report("no_leak", leak_check(start, counts_now()));
    return report_end();
}
