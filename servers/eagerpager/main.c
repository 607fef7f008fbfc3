/* The eager pager's frames, fault policy, request dispatch and server loop. */
#include <ipc/cmdline.h>
#include "eager.h"

const struct root_info *root;
handle_t pager_ep;
uint64_t zero_fills, live_procs;
static uint64_t frames_free, page_faults;

/* ---- frames -------------------------------------------------------------
 * Every frame in root->ranges is ours, at window_base + phys. The free ones
 * are runs of adjacent frames, no two touching; a request takes the top of
 * the first run long enough. There are never more runs than ranges plus
 * runs handed out. */
#define MAX_RUNS (ROOT_MAX_RANGES + MAX_PROCS * MAX_REGIONS)
static struct run { uint8_t *base; uint64_t pages; } runs[MAX_RUNS];
static unsigned run_count;

uint8_t *frame_alloc(uint64_t n)
{
    for (struct run *r = runs; r < runs + run_count; r++)
        if (r->pages >= n) {
            r->pages -= n;
            uint8_t *f = r->base + r->pages * PAGE;
            if (!r->pages)
                *r = runs[--run_count];
            frames_free -= n;
            return memset(f, 0, n * PAGE);    /* never hand out another process's data */
        }
    return 0;
}

void frame_free(uint8_t *f, uint64_t n)
{
    frames_free += n;
    for (unsigned i = run_count; i-- > 0;) {      /* take in the runs it touches */
        struct run *r = &runs[i];
        if (r->base + r->pages * PAGE == f || f + n * PAGE == r->base) {
            f = r->base < f ? r->base : f;
            n += r->pages;
            *r = runs[--run_count];               /* the last, looked at already */
        }
    }
    runs[run_count++] = (struct run){ f, n };
}

static void stats_print(void)         /* the default pager's line; what we never do is 0 */
{
    printf("PAGER page_faults=%lu minor_faults=0 cow_faults_handled=0 copies_performed=0 "
           "zero_fills=%lu frames_free=%lu frames_total=%lu\n",
           page_faults, zero_fills, frames_free, root->frames_total);
}

/* Every page was mapped when it came into being, so a fault is the
 * program's mistake: in one of its regions, the access was not allowed;
 * anywhere else there is nothing at all. Either way the task is killed. */
static void fault(struct process *p, const struct ipc_msg *m)
{
    uint64_t reason = FAULT_REASON_EXCEPTION;
    if (tag_label(m->tag) == FAULT_PAGE) {
        page_faults++;
        reason = region_at(p, m->w[0]) ? FAULT_REASON_PROTECTION : FAULT_REASON_INVALID_ADDRESS;
    }
    static const char *const why[] = { "", "invalid address", "protection", "", "exception" };
    printf("eagerpager: pid %lu: vector %lu at 0x%lx (error 0x%lx, rip 0x%lx): killed, %s\n",
           p->pid, m->w[3], m->w[0], m->w[1], m->w[2], why[reason]);
    struct ipc_msg kill = { .tag = FAULT_KILL, .w = { reason } };
    sys_reply(&kill);                 /* the kernel ends its threads... */
    proc_exit(p, (int)PG_STATUS_KILLED(reason));   /* ...we take back the rest */
}


/* Handles one message from p; returns 1 when `reply` must be sent to the
 * caller now. */
static int serve(struct process *p, const struct ipc_msg *m, struct ipc_msg *reply)
{
    struct process *c;
    char arg[25] = { 0 };             /* a module name or a key, NUL-padded in w0..w2 */
    memcpy(arg, m->w, 24);
    switch (tag_label(m->tag)) {
    case FAULT_PAGE:
    case FAULT_EXCEPTION:
        if (!msg_from_kernel(m->tag)) {
            reply->w[0] = PG_EINVAL;  /* a process sent it */
            break;
        }
        fault(p, m);
        return 0;
    case DEATH_NOTICE:                /* its last thread is gone: reclaim */
        if (!msg_from_kernel(m->tag)) {
            reply->w[0] = PG_EINVAL;
            break;
        }
        proc_exit(p, PG_STATUS_OF_DEATH(m->w[0], m->w[1]));
        return 0;
    case PG_EXIT:
        proc_exit(p, (int)m->w[0]);
        return 0;
    case PG_WAIT:
        return proc_wait(p, m->w[0], reply);
    case PG_GETPID:
        reply->w[1] = p->pid;
        reply->w[2] = p->parent;
        break;
    case PG_MMAP:     reply->w[0] = mem_mmap(p, m->w, &reply->w[1]); break;
    case PG_MPROTECT: reply->w[0] = mem_change(p, m->w, 0); break;
    case PG_MUNMAP:   reply->w[0] = mem_change(p, m->w, 1); break;
    case PG_STATS: {
        uint64_t v[3][3] = { { page_faults, 0, 0 }, { 0, zero_fills, frames_free },
                             { root->frames_total, live_procs, 0 } };
        if (m->w[0] == PG_STATS_PRINT)
            stats_print();
        else if (m->w[0] < 3)
            memcpy(&reply->w[1], v[m->w[0]], sizeof(v[0]));
        else
            reply->w[0] = PG_EINVAL;
        break;
    }
    case PG_KILL:
        if (!(c = proc_live(m->w[0])) || c->parent != p->pid)
            reply->w[0] = PG_ECHILD;
        else
            proc_exit(c, (int)PG_STATUS_KILLED(FAULT_REASON_NONE));
        break;
    case PG_SPAWN: {
        /* With TAG_GRANT the kernel put a copy of the caller's handle in
         * our table (w3); the child gets its own copy, ours goes. */
        handle_t gift = m->tag & TAG_GRANT ? m->w[3] : 0;
        c = proc_spawn(arg, p->pid, gift, &reply->w[0]);
        reply->w[1] = c ? c->pid : 0;  /* (dispatch closes our copy) */
        break;
    }
    case PG_GETENV:
        if (!arg[0] || !cmdline_get(root->cmdline, arg, (char *)&reply->w[1], 24))
            reply->w[0] = PG_ENOENT;
        break;
    case PG_INFO:
        reply->w[1] = 0;              /* no fork, no commit, eager */
        memcpy(&reply->w[2], "eagerpager", 11);
        break;
    default:                          /* PG_FORK included: no COW, no fork */
        reply->w[0] = PG_ENOSYS;
    }
    return 1;
}

/* Handles one message from badge (a pid); returns 1 when `reply` must be
 * sent now. A handle that came with it (TAG_GRANT) is closed whatever the
 * request: only PG_SPAWN uses one, and gives the child its own copy. */
static int dispatch(uint64_t badge, const struct ipc_msg *m, struct ipc_msg *reply)
{
    struct process *p = proc_live(badge);
    *reply = (struct ipc_msg){ .tag = 0, .w = { PG_OK, 0, 0, 0 } };
    int answer = p ? serve(p, m, reply) : 0;    /* sent by a process already gone */
    if (m->tag & TAG_GRANT)
        sys_handle_close(m->w[3]);    /* handle 0 (none) is refused, harmlessly */
    return answer;
}

/* Like any pager, the root task: it starts init (the module named by
 * "init=" on the command line, else module 1), serves ipc/pager.h until
 * init exits, prints its statistics and returns init's status, which ends
 * the run. */
int main(const struct root_info *ri)
{
    root = ri;
    if (sys_endpoint_create(&pager_ep))
        return 1;
    for (unsigned i = 0; i < ri->range_count; i++)
        frame_free((uint8_t *)ri->window_base + ri->ranges[i].base, ri->ranges[i].size / PAGE);
    char name[ROOT_NAME_MAX] = "";
    if (!cmdline_get(root->cmdline, "init", name, sizeof(name)) && ri->module_count > 1)
        memcpy(name, ri->modules[1].name, sizeof(name) - 1);
    printf("eagerpager: %lu frames (%lu MiB), eager and without fork; starting %s\n",
           frames_free, frames_free >> 8, name[0] ? name : "(nothing)");
    uint64_t err = PG_ENOENT;
    struct process *init = name[0] ? proc_spawn(name, 0, 0, &err) : 0;
    if (!init) {
        printf("eagerpager: cannot start init '%s' (error %lu)\n", name, err);
        stats_print();
        return name[0] ? 1 : 0;       /* nothing to run is not a failure */
    }
    struct ipc_msg m, reply = { 0 };
    struct ipc_status st = sys_recv(pager_ep, &m);
    for (;;) {
        int answer = !st.status && dispatch(st.badge, &m, &reply);
        if (init->state != PROC_LIVE)
            break;                    /* init is gone (its slot keeps the status) */
        m = reply;
        st = answer ? sys_reply_recv(pager_ep, &m) : sys_recv(pager_ep, &m);
    }
    printf("eagerpager: init exited with status %d\n", init->status);
    stats_print();
    return init->status;
}
