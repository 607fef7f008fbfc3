/*
 * The eager pager's start, its frames, its fault policy and its server
 * loop. Like any pager it runs as the root task: it starts init (the boot
 * module named by "init=" on the command line, else module 1), serves the
 * requests of ipc/pager.h until init exits, prints its statistics and
 * returns init's status, which ends the run.
 */
#include "eager.h"

_Static_assert(sizeof(struct rec_chunk) == PAGE, "a record chunk fills one frame");

const struct root_info *root;
handle_t pager_ep;
uint64_t frames_free, zero_fills;
static uint64_t page_faults;
static uint64_t init_pid;

/* ---- frames -------------------------------------------------------------
 * Every frame in root->ranges is ours, mapped at window_base + phys. Frames
 * never handed out are taken in order (so start-up touches none); frames
 * given back go on a free list threaded through their first word. */
static void *free_list;
static unsigned next_range;
static uint64_t next_offset;

void *frame_alloc(void)
{
    uint8_t *f = free_list;
    if (f) {
        free_list = *(void **)f;
    } else {
        while (next_range < root->range_count &&
               next_offset == root->ranges[next_range].size) {
            next_range++;
            next_offset = 0;
        }
        if (next_range == root->range_count)
            return 0;
        f = (uint8_t *)root->window_base + root->ranges[next_range].base + next_offset;
        next_offset += PAGE;
    }
    frames_free--;
    memset(f, 0, PAGE);               /* never hand out another process's data */
    return f;
}

void frame_free(void *frame)
{
    *(void **)frame = free_list;
    free_list = frame;
    frames_free++;
}

/* ---- statistics: the default pager's line, with what we never do at 0 ---- */
static void stats_print(void)
{
    printf("PAGER page_faults=%lu minor_faults=0 cow_faults_handled=0 copies_performed=0 "
           "zero_fills=%lu frames_free=%lu frames_total=%lu\n",
           page_faults, zero_fills, frames_free, root->frames_total);
}

static void stats_reply(uint64_t group, struct ipc_msg *reply)
{
    uint64_t v[3][3] = { { page_faults, 0, 0 },
                         { 0, zero_fills, frames_free },
                         { root->frames_total, proc_count(), 0 } };
    if (group == PG_STATS_PRINT) {
        stats_print();
        return;
    }
    if (group > 2) {
        reply->w[0] = PG_EINVAL;
        return;
    }
    for (int i = 0; i < 3; i++)
        reply->w[1 + i] = v[group][i];
}

/* ---- faults -------------------------------------------------------------
 * Every page was mapped when it came into being, so a fault is the
 * program's mistake: on a page it has, the access was not allowed; on any
 * other address there is nothing at all. Either way the task is killed. */
static void fault(struct process *p, const struct ipc_msg *m)
{
    uint64_t reason = FAULT_REASON_EXCEPTION;
    if (tag_label(m->tag) == FAULT_PAGE) {
        page_faults++;
        reason = page_find(p, m->w[0] & ~(PAGE - 1)) ? FAULT_REASON_PROTECTION
                                                    : FAULT_REASON_INVALID_ADDRESS;
    }
    static const char *const why[] = { "", "invalid address", "protection", "", "exception" };
    printf("eagerpager: pid %lu: vector %lu at 0x%lx (error 0x%lx, rip 0x%lx): killed, %s\n",
           p->pid, m->w[3], m->w[0], m->w[1], m->w[2], why[reason]);
    struct ipc_msg kill = { .tag = FAULT_KILL, .w = { reason } };
    sys_reply(&kill);                 /* the kernel ends its threads... */
    proc_exit(p, (int)PG_STATUS_KILLED(reason));   /* ...we take back the rest */
}

/* The value of "key=value" on the kernel command line, or NULL. */
static const char *cmdline_value(const char *key)
{
    size_t n = strlen(key);
    for (const char *c = root->cmdline; n && *c; c++)
        if ((c == root->cmdline || c[-1] == ' ') && !strncmp(c, key, n) && c[n] == '=')
            return c + n + 1;
    return 0;
}

static void init_name(char *out)
{
    const char *name = cmdline_value("init");
    if (!name)
        name = root->module_count > 1 ? root->modules[1].name : "";
    unsigned n = 0;
    while (name[n] && name[n] != ' ' && n + 1 < ROOT_NAME_MAX) {
        out[n] = name[n];
        n++;
    }
    out[n] = 0;
}

/* Handles one message from badge (a pid); returns 1 when `reply` must be
 * sent to the caller now. */
static int dispatch(uint64_t badge, const struct ipc_msg *m, struct ipc_msg *reply)
{
    struct process *p = proc_live(badge);
    *reply = (struct ipc_msg){ .tag = 0, .w = { PG_OK, 0, 0, 0 } };
    if (!p)
        return 0;                     /* sent by a process already gone */
    int answer = 1;
    switch (tag_label(m->tag)) {
    case FAULT_PAGE:
    case FAULT_EXCEPTION:
        fault(p, m);
        return 0;
    case PG_EXIT:
        proc_exit(p, (int)m->w[0]);
        return 0;
    case PG_WAIT:
        proc_wait(p, m->w[0], reply, &answer);
        return answer;
    case PG_GETPID:
        reply->w[1] = p->pid;
        reply->w[2] = p->parent;
        return 1;
    case PG_MMAP:     mem_mmap(p, m->w, reply); return 1;
    case PG_MPROTECT: mem_mprotect(p, m->w, reply); return 1;
    case PG_MUNMAP:   mem_munmap(p, m->w, reply); return 1;
    case PG_STATS:    stats_reply(m->w[0], reply); return 1;
    case PG_KILL:     reply->w[0] = proc_kill(p, m->w[0]); return 1;
    case PG_SPAWN: {
        char name[25];
        memcpy(name, m->w, 24);       /* NUL-padded in w0..w2 */
        name[24] = 0;
        /* With TAG_GRANT the kernel put a copy of the caller's handle in
         * our table (w3); the child gets its own copy, ours goes. */
        handle_t gift = m->tag & TAG_GRANT ? m->w[3] : 0;
        struct process *c = proc_spawn(name, p->pid, gift, &reply->w[0]);
        if (gift)
            sys_handle_close(gift);
        reply->w[1] = c ? c->pid : 0;
        return 1;
    }
    case PG_GETENV: {
        char key[25];
        memcpy(key, m->w, 24);
        key[24] = 0;
        const char *v = cmdline_value(key);
        reply->w[0] = v ? PG_OK : PG_ENOENT;
        for (unsigned i = 0; v && i < 23 && v[i] && v[i] != ' '; i++)
            ((char *)&reply->w[1])[i] = v[i];   /* w1..w3 are zero: NUL-padded */
        return 1;
    }
    default:                          /* PG_FORK included: no COW, no fork */
        reply->w[0] = PG_ENOSYS;
        return 1;
    }
}

int main(const struct root_info *ri)
{
    root = ri;
    if (!ri || ri->magic != ROOT_INFO_MAGIC || sys_endpoint_create(&pager_ep)) {
        printf("eagerpager: no usable root info or endpoint\n");
        return 1;
    }
    frames_free = ri->frames_total;
    char name[ROOT_NAME_MAX];
    init_name(name);
    printf("eagerpager: %lu frames (%lu MiB), eager and without fork; starting %s\n",
           frames_free, frames_free >> 8, name[0] ? name : "(nothing)");
    uint64_t err = PG_ENOENT;
    struct process *init = name[0] ? proc_spawn(name, 0, 0, &err) : 0;
    if (!init) {
        printf("eagerpager: cannot start init '%s' (error %lu)\n", name, err);
        stats_print();
        return name[0] ? 1 : 0;       /* nothing to run is not a failure */
    }
    init_pid = init->pid;

    struct ipc_msg m, reply = { 0 };
    struct ipc_status st = sys_recv(pager_ep, &m);
    for (;;) {
        int answer = !st.status && dispatch(st.badge, &m, &reply);
        if (!proc_live(init_pid))
            break;                    /* init is gone (its slot keeps the status) */
        m = reply;
        st = answer ? sys_reply_recv(pager_ep, &m) : sys_recv(pager_ep, &m);
    }
    printf("eagerpager: init exited with status %d\n", init->status);
    stats_print();
    return init->status;
}
