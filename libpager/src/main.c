/*
 * A pager's start and its server loop. It finds out how it runs (root
 * task or stacked), sets up its memory, starts init (root: the module
 * "init=" names, else the one after ours; stacked: "stacked.init="), and
 * serves faults and requests until init exits; then it prints its
 * statistics and returns init's status (as the root task, that ends the
 * run; stacked, our own pager hears it as our exit).
 */
#include "internal.h"
#include <ipc/kmem.h>
#include <ipc/process.h>

const struct lp_policy *lp_policy;
const struct root_info *lp_root;
handle_t lp_ep;
int lp_stacked;

static void init_name(char *out, unsigned size)
{
    out[0] = 0;
    if (lp_env(lp_stacked ? "stacked.init" : "init", out, size) || lp_stacked)
        return;
    if (lp_root->module_count > 1) {
        unsigned n = 0;
        for (; lp_root->modules[1].name[n] && n + 1 < size; n++)
            out[n] = lp_root->modules[1].name[n];
        out[n] = 0;
    }
}

/* Memory, limits and the endpoint; prints what we have. 0 or an error. */
static int setup(uint64_t arg)
{
    lp_root = (const struct root_info *)arg;
    lp_stacked = arg != ROOT_INFO_ADDR;   /* the kernel's argument to the root task */
    if (!lp_stacked && lp_root->magic != ROOT_INFO_MAGIC)
        return -1;
    if (lp_stacked)
        lp_root = 0;
    if (lp_memory_setup() || (!lp_policy->own_frames && lp_frames_setup()))
        return -2;
    if (sys_endpoint_create(&lp_ep))
        return -3;
    lp_commit_setup(lp_policy->own_frames ? lp_memory_frames() : lp_frames.free_count);
    uint64_t frames = lp_policy->own_frames ? lp_memory_frames() : lp_frames.total;
    lp_max_children = lp_env_number("pager.max_children", 64);
    /* Stacked, our own account holds our processes' and our arena's page
     * tables: a process we start gets at most what a child of ours would
     * (the command line's pager.kmem_kib is the root pager's too). */
    uint64_t kmem = lp_stacked ? kmem_child_limit(sys_kernel_info(KINFO_KMEM_LIMIT))
                               : kmem_top_default();
    lp_kmem_top_limit = lp_env_number("pager.kmem_kib", kmem * 4) / 4;
    if (lp_stacked && lp_kmem_top_limit > kmem)
        lp_kmem_top_limit = kmem;
    printf("%s: %lu frames (%lu MiB)", lp_policy->name, frames, frames >> 8);
    if (lp_policy->features & PG_FEATURE_COMMIT)
        printf(", committing up to %lu pages", lp_commit_limit);
    if (lp_stacked)
        printf(", stacked as pid %ld", getpid());
    return 0;
}

/* Our reply to badge was refused. IPC_ENOMEM: the process's kernel account
 * has no room for the page tables or mapping its fault needs. Anything
 * else is a pager bug. Either way the process ends rather than wait. */
static void reply_refused(uint64_t badge, uint64_t status)
{
    struct lp_process *p = lp_process_of(badge);
    uint64_t why = status == IPC_ENOMEM ? FAULT_REASON_OUT_OF_MEMORY : FAULT_REASON_NONE;
    if (status == IPC_ENOMEM)
        printf("%s: process %lu is out of kernel memory (its limit: %lu frames); killed\n",
               lp_policy->name, p ? p->pid : 0, p ? p->kmem_limit : 0);
    else
        printf("%s: reply refused with status %lu\n", lp_policy->name, status);
    struct ipc_msg kill = { .tag = FAULT_KILL, .w = { why } };
    sys_reply(&kill);
    if (p)
        lp_exit(p, (int)PG_STATUS_KILLED(why));
}

/* Whether our pager gave us a handle (CHILD_GIFT_HANDLE) we may pass on:
 * asked before we make any handle of our own, which would take its number. */
static int have_gift(void)
{
    handle_t copy;
    if (sys_handle_grant(HANDLE_NONE, CHILD_GIFT_HANDLE, 0, 0, &copy))
        return 0;
    sys_handle_close(copy);
    return 1;
}

/* The next message; 0, or 1 when our endpoint is gone (nothing to serve:
 * it is ours alone, so only a broken invariant gets here). */
static int receive(struct ipc_status *st, struct ipc_msg *m)
{
    *st = sys_recv(lp_ep, m);
    return st->status == IPC_EHANDLE || st->status == IPC_ETYPE || st->status == IPC_ERIGHTS ||
           st->status == IPC_EDEAD;
}

int lp_main(const struct lp_policy *policy, uint64_t arg)
{
    lp_policy = policy;
    int gift = arg != ROOT_INFO_ADDR && have_gift();
    if (policy->own_frames && !policy->frames_free) {
        printf("%s: a policy with its own frames must count them (frames_free)\n", policy->name);
        return 1;
    }
    int err = setup(arg);
    if (err) {
        printf("%s: cannot start: %s\n", policy->name,
               err == -1 ? "no usable root info" : err == -2 ? "no usable memory" : "no endpoint");
        return 1;
    }
    char name[ROOT_NAME_MAX];
    init_name(name, sizeof(name));
    printf("; starting %s\n", name[0] ? name : "(nothing)");
    printf("%s: per process at most %lu live children", policy->name, lp_max_children);
    if (policy->features & PG_FEATURE_COMMIT)
        printf(" and %lu MiB committed", lp_process_commit_limit / 256);
    printf("; %lu KiB of kernel memory for a top process\n", lp_kmem_top_limit * 4);
    if (policy->start && policy->start()) {
        printf("%s: its policy cannot start\n", policy->name);
        return 1;
    }
    int64_t parent_features = lp_stacked ? pager_info(0) : 0;
    if (lp_stacked && (parent_features < 0 || !(parent_features & PG_FEATURE_MODULE)))
        printf("%s: our own pager does not map modules (PG_MODULE): no program to start\n",
               policy->name);
    /* Stacked, init gets the handle our parent gave us, if it gave one. */
    uint64_t status = PG_ENOENT;
    struct lp_process *init = name[0] ? lp_spawn(name, 0, gift ? CHILD_GIFT_HANDLE : 0, &status) : 0;
    if (!init) {
        if (name[0])
            printf("%s: cannot start init '%s' (error %lu)\n", policy->name, name, status);
        else
            printf("%s: no init to start (%s=)\n", policy->name,
                   lp_stacked ? "stacked.init" : "init");
        lp_stats_print();
        return name[0] ? 1 : 0;       /* nothing to run is not a failure */
    }
    uint64_t init_pid = init->pid;

    struct ipc_msg m, reply;
    struct ipc_status st;
    int gone = receive(&st, &m);
    while (!gone) {
        uint64_t badge = st.badge;
        struct lp_process *p;
        int answer;
        /* (The kernel's fault tag is exactly this; a process cannot send it.) */
        if (!st.status && m.tag == (FAULT_PAGE | TAG_KERNEL) && (p = process_of(badge))) {
            /* The common case first: a page fault, answered in place (the
             * hook reads the message before it writes the reply). */
            answer = policy->fault(p, &m, &m);
        } else {
            answer = st.status ? 0 : lp_dispatch(badge, &m, &reply);
            if (answer)
                m = reply;
        }
        if (init->state != LP_LIVE || init->pid != init_pid)
            break;                    /* init is gone: the run is over */
        if (answer) {
            st = sys_reply_recv(lp_ep, &m);
            if (!st.status)
                continue;
            reply_refused(badge, st.status);   /* which may end init */
            if (init->state != LP_LIVE || init->pid != init_pid)
                break;
        }
        gone = receive(&st, &m);
    }
    if (gone) {
        printf("%s: our endpoint is gone (status %lu)\n", policy->name, st.status);
        return 1;
    }
    int exit_status = init->exit_status;
    printf("%s: init exited with status %d\n", policy->name, exit_status);
    lp_stats_print();
    return exit_status;
}
