/* Building children out of ktest's own image; frames from the window. */
#include "ktest.h"

extern char __image_start[], __text_end[], __rodata_end[];

static struct root_range ranges[ROOT_MAX_RANGES];
static unsigned range_count, range_at;
static uint64_t next_frame, window;

void frames_setup(const struct root_info *ri)
{
    window = ri->window_base;
    range_count = ri->range_count;
    for (unsigned i = 0; i < range_count; i++)
        ranges[i] = ri->ranges[i];
    next_frame = range_count ? ranges[0].base : 0;
}

uint64_t frame_new(void)
{
    while (range_at < range_count) {
        struct root_range *r = &ranges[range_at];
        if (next_frame < r->base + r->size) {
            uint64_t va = window + next_frame;
            next_frame += 4096;
            return (uint64_t)memset((void *)va, 0, 4096);
        }
        if (++range_at < range_count)
            next_frame = ranges[range_at].base;
    }
    return 0;
}

void child_start(struct child_args *a)
{
    uint64_t r = a->fn(a);
    sys_exit(r);
}

handle_t child_grant(struct child *c, handle_t h, uint32_t rights, uint64_t badge)
{
    handle_t out = 0;
    if (sys_handle_grant(c->space, h, rights, badge, &out))
        return 0;
    return out;
}

int child_spawn(struct child *c, uint64_t (*fn)(struct child_args *), handle_t report,
                handle_t pager, uint64_t badge, unsigned priority)
{
    uint64_t text = (uint64_t)__image_start, text_pages = ((uint64_t)__text_end - text) / 4096;
    uint64_t ro = (uint64_t)__text_end, ro_pages = ((uint64_t)__rodata_end - ro) / 4096;
    memset(c, 0, sizeof(*c));
    if (sys_space_create(&c->space))
        return -1;
    if (sys_map(c->space, text, text, text_pages, PAGE_READ | PAGE_EXEC))
        return -2;
    if (ro_pages && sys_map(c->space, ro, ro, ro_pages, PAGE_READ))
        return -3;
    uint64_t top_page = 0;
    for (unsigned i = 0; i < CHILD_STACK_PAGES; i++) {
        uint64_t f = frame_new();
        if (!f || sys_map(c->space, f, CHILD_STACK_TOP - (i + 1) * 4096, 1,
                          PAGE_READ | PAGE_WRITE))
            return -4;
        if (i == 0)
            top_page = f;
    }
    /* The args sit at the bottom of the top stack page; the stack grows
     * down from below them. */
    c->args = (struct child_args *)top_page;
    c->args->fn = fn;
    uint64_t child_args_va = CHILD_STACK_TOP - 4096;
    if (report && !(c->args->report = child_grant(c, report, RIGHT_SEND, 0)))
        return -5;
    if (pager) {
        /* A badged copy in our own table: the kernel takes the badge from
         * the handle the space's pager is set with. */
        handle_t child_pager;
        if (sys_handle_grant(HANDLE_ROOT_SPACE, pager, RIGHT_SEND | RIGHT_GRANT, badge,
                             &child_pager))
            return -6;
        uint64_t err = sys_space_set_pager(c->space, child_pager);
        sys_handle_close(child_pager);
        if (err)
            return -6;
    }
    uint64_t err = sys_thread_create(c->space, (uint64_t)child_start, child_args_va - 72,
                                     priority, child_args_va, &c->thread);
    return err ? -7 : 0;
}

void child_destroy(struct child *c)
{
    if (c->space) {
        sys_space_destroy(c->space);
        sys_handle_close(c->space);
    }
    if (c->thread)
        sys_handle_close(c->thread);
    c->space = c->thread = 0;
}

void child_report(struct child_args *a, uint64_t w0, uint64_t w1)
{
    struct ipc_msg m = { .tag = REPORT_LABEL, .w = { w0, w1, 0, 0 } };
    sys_send(a->report, &m);
}

int serve(handle_t ep, fault_fn on_fault, uint64_t *w0, uint64_t *w1)
{
    struct ipc_msg m = {0};
    struct ipc_status st = sys_recv(ep, &m);
    for (;;) {
        if (st.status)
            return 0;
        uint64_t label = tag_label(m.tag);
        if (label == DEATH_NOTICE && msg_from_kernel(m.tag)) {
            st = sys_recv(ep, &m);        /* a child's task ended: not what we wait for */
            continue;
        }
        if (label == REPORT_LABEL) {
            *w0 = m.w[0];
            *w1 = m.w[1];
            return 1;
        }
        struct ipc_msg reply = {0};
        int more = on_fault ? on_fault(&m, st.badge, &reply) : 0;
        if (!on_fault)
            reply.tag = FAULT_KILL;
        if (!more) {
            sys_reply(&reply);            /* answer, but wait for nothing more */
            return 0;
        }
        m = reply;
        st = sys_reply_recv(ep, &m);
    }
}

int test_fail(const char *name, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    printf("TEST %s fail %s\n", name, buf);
    return 1;
}

int test_pass(const char *name)
{
    printf("TEST %s pass\n", name);
    return 0;
}

/* Every frame of the window is reachable and distinct: stamp each with its
 * physical address, then check all stamps. Run last: it overwrites every
 * frame ktest owns. */
int test_window_all_frames(const struct root_info *ri)
{
    const char *name = "window_all_frames";
    uint64_t n = 0, top = 0;
    for (unsigned r = 0; r < ri->range_count; r++)
        for (uint64_t pa = ri->ranges[r].base; pa < ri->ranges[r].base + ri->ranges[r].size;
             pa += 4096) {
            *(volatile uint64_t *)(ri->window_base + pa) = pa ^ 0x5a5a5a5a5a5a5a5aull;
            n++;
            top = pa + 4096;
        }
    for (unsigned r = 0; r < ri->range_count; r++)
        for (uint64_t pa = ri->ranges[r].base; pa < ri->ranges[r].base + ri->ranges[r].size;
             pa += 4096)
            if (*(volatile uint64_t *)(ri->window_base + pa) != (pa ^ 0x5a5a5a5a5a5a5a5aull))
                return test_fail(name, "frame 0x%lx lost its stamp (aliased?)", pa);
    if (n != ri->frames_total)
        return test_fail(name, "%lu frames in ranges, root info says %lu", n, ri->frames_total);
    printf("TEST %s pass %lu frames (%lu MiB) up to 0x%lx stamped and checked\n", name, n,
           n >> 8, top);
    return 0;
}

/* Up to 10,000 of our turns and WAIT_TICKS timer ticks: on one CPU the
 * thread runs in our yields; on several it may run on another CPU, where
 * our turns say nothing of its progress. */
#define WAIT_TICKS 500

int wait_until(handle_t thread, uint64_t state)
{
    uint64_t t0 = sys_kernel_info(KINFO_TICKS);
    for (int i = 0;; i++) {
        uint64_t status, st = sys_thread_state(thread, &status);
        if (status == IPC_EDEAD)
            return state == ~0ull;
        if (st == state)
            return 1;
        if (i >= 10000 && sys_kernel_info(KINFO_TICKS) - t0 > WAIT_TICKS)
            return 0;
        sys_yield();
    }
}
