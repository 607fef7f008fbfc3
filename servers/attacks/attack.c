/* The attack programs' shared pieces (see attack.h). */
#include "attack.h"
#include <stdarg.h>

int round_no = 1;

int fail(const char *name, const char *fmt, ...)
{
    char buf[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    printf("TEST %s fail %s%s\n", name, buf, round_no > 1 ? " (second run)" : "");
    return 1;
}

int pass(const char *name)
{
    if (round_no == 1)
        printf("TEST %s pass\n", name);
    return 0;
}

uint32_t rw_rights(handle_t space, uint64_t va)
{
    uint32_t r = 0xff;
    if (sys_map_rights(space, va, &r))
        return 0xff;                      /* the call itself failed */
    return r & (PAGE_READ | PAGE_WRITE);
}

void touch_image(void)
{
    for (const char *p = __image_start; p < __rodata_end; p += PAGE)
        (void)*(volatile const char *)p;
}

uint64_t page_new(uint64_t value)
{
    int64_t a = mmap(0, PAGE, PROT_READ | PROT_WRITE, 0);
    if (a < 0)
        return 0;
    *(volatile uint64_t *)a = value;
    return (uint64_t)a;
}

uint64_t page_faults(void)
{
    struct pager_stats s;
    return pager_stats(&s) ? ~0ull : s.page_faults;
}

void space_drop(handle_t s)
{
    if (s) {
        sys_space_destroy(s);
        sys_handle_close(s);
    }
}

void endpoint_drop(handle_t ep)
{
    if (ep) {
        sys_endpoint_destroy(ep);
        sys_handle_close(ep);
    }
}

/* ---- a space running our own code ---------------------------------------- */

int vm_build(struct vm *v, handle_t ep)
{
    uint64_t text = (uint64_t)__image_start, text_pages = ((uint64_t)__text_end - text) / PAGE;
    uint64_t ro = (uint64_t)__text_end, ro_pages = ((uint64_t)__rodata_end - ro) / PAGE;
    memset(v, 0, sizeof(*v));
    if (sys_space_create(&v->space))
        return -1;
    if (sys_map(v->space, text, text, text_pages, PAGE_READ | PAGE_EXEC))
        return -2;
    if (ro_pages && sys_map(v->space, ro, ro, ro_pages, PAGE_READ))
        return -3;
    if (!(v->stack = page_new(0)) ||
        sys_map(v->space, v->stack, STACK_VA, 1, PAGE_READ | PAGE_WRITE))
        return -4;
    if (sys_space_set_pager(v->space, ep))
        return -5;
    if (sys_handle_grant(v->space, ep, RIGHT_SEND, 0, &v->ep_in))
        return -6;
    return 0;
}

void *vm_args(struct vm *v) { return (void *)(v->stack + ARGS_OFF); }

int vm_thread(struct vm *v, void (*fn)(void *))
{
    uint64_t args = STACK_VA + ARGS_OFF;
    if (v->thread)
        sys_handle_close(v->thread);
    v->thread = 0;
    if (sys_thread_create(v->space, (uint64_t)fn, args - 8, PRIO, args, &v->thread))
        return -1;
    return sys_thread_start(v->thread) ? -2 : 0;
}

void vm_destroy(struct vm *v)
{
    space_drop(v->space);                 /* its threads die, its mappings go */
    if (v->thread)
        sys_handle_close(v->thread);
    if (v->stack)
        munmap(v->stack, PAGE);
    memset(v, 0, sizeof(*v));
}

/* ---- the whole attack, twice, and the accounts -------------------------- */

void counts_take(struct counts *c)
{
    struct pager_stats s;
    utest_pager_stats(&s);
    *c = (struct counts){ .mappings = sys_kernel_info(KINFO_MAPPINGS),
                          .objects = sys_kernel_info(KINFO_OBJECTS),
                          .frames_free = s.frames_free, .processes = s.processes,
                          .kernel_free = sys_kernel_info(KINFO_FREE_FRAMES),
                          .kmem_used = sys_kernel_info(KINFO_KMEM_USED) };
}

#define D(field) ((int64_t)(b->field - a->field))

static void show(const char *prog, const char *what, const struct counts *a,
                 const struct counts *b)
{
    printf("%s: %s: mappings %ld, objects %ld, pager frames free %ld, kernel frames "
           "free %ld, kernel frames charged to us %ld\n", prog, what, D(mappings), D(objects),
           D(frames_free), D(kernel_free), D(kmem_used));
}

int attack_twice(const char *prog, const char *leak_test, int (*attack)(void))
{
    struct counts s0, s1, s2;
    /* Our data page too, before the first count (the pager maps it on
     * its first write), so that the first run's growth is only tables. */
    *(volatile int *)&round_no = 1;
    counts_take(&s0);
    int failed = attack();
    counts_take(&s1);
    round_no = 2;
    failed += attack();
    counts_take(&s2);
    show(prog, "first run (builds lazy tables)", &s0, &s1);
    show(prog, "second run", &s1, &s2);
    const struct counts *a = &s1, *b = &s2;
    round_no = 1;                         /* the accounts are checked once */
    if (D(mappings) || D(objects) || D(frames_free) || D(kernel_free) || D(kmem_used))
        failed += fail(leak_test, "second run changed mappings %ld, objects %ld, pager "
                       "frames free %ld, kernel frames free %ld, charged to us %ld",
                       D(mappings), D(objects), D(frames_free), D(kernel_free), D(kmem_used));
    else
        failed += pass(leak_test);
    return failed ? 1 : 0;
}

/* ---- a canary beside an attacker ----------------------------------------- */

#define CANARY_PAGES 16

static void __attribute__((noreturn)) canary_child(void)
{
    int64_t m = mmap(0, CANARY_PAGES * PAGE, PROT_READ | PROT_WRITE, 0);
    if (m < 0)
        exit(1);
    volatile uint64_t *w = (volatile uint64_t *)m;
    for (uint64_t i = 0; i < CANARY_PAGES; i++)
        w[i * PAGE / 8] = i;                /* demand-zero faults */
    int64_t g = fork();
    if (g == 0) {
        for (uint64_t i = 0; i < CANARY_PAGES; i++)
            w[i * PAGE / 8] = i + 100;      /* copy-on-write faults */
        for (uint64_t i = 0; i < CANARY_PAGES; i++)
            if (w[i * PAGE / 8] != i + 100)
                exit(8);
        exit(7);
    }
    int st = -1;
    if (g < 0)
        exit(2);
    if (wait_pid(g, &st) != g || st != 7)
        exit(3);
    for (uint64_t i = 0; i < CANARY_PAGES; i++)
        if (w[i * PAGE / 8] != i)
            exit(4);                        /* the grandchild's writes leaked to us */
    exit(42);
}

int canary_process(const char *name)
{
    struct counts before, after, *a = &before, *b = &after;
    counts_take(&before);
    int64_t pid = fork();
    if (pid == 0)
        canary_child();
    if (pid < 0)
        return fail(name, "canary: fork failed with %ld", -pid);
    int st = -1;
    int64_t got = wait_pid(pid, &st);
    counts_take(&after);
    if (got != pid || st != 42)
        return fail(name, "canary: exit status %d (want 42; wait gave %ld)", st, got);
    if (D(frames_free) || D(processes))
        return fail(name, "canary: pager frames free %ld, processes %ld after it",
                    D(frames_free), D(processes));
    if (D(objects) || D(mappings))
        return fail(name, "canary: kernel objects %ld, mappings %ld after it", D(objects),
                    D(mappings));
    return 0;
}
