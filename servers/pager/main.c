/*
 * The pager's start and its server loop. It runs as the root task: it
 * takes the frames the kernel handed over, starts the first program (the
 * boot module named by "init=" on the command line, else the module after
 * its own), and serves faults and requests until that program exits; then
 * it prints its statistics and exits with the program's status, which ends
 * the run.
 */
#include "pager.h"

struct frame_table frames;
const struct root_info *root;
handle_t pager_ep;
uint64_t committed, commit_limit;
uint64_t max_children = 64, process_commit_limit, kmem_top_limit;

/* A number from "key=N" on the command line, or dflt. */
static uint64_t cmdline_number(const char *key, uint64_t dflt)
{
    char v[21];
    if (!cmdline_get(root->cmdline, key, v, sizeof(v)) || !v[0])
        return dflt;
    uint64_t n = 0;
    for (const char *c = v; *c; c++) {
        if (*c < '0' || *c > '9')
            return dflt;
        n = n * 10 + (uint64_t)(*c - '0');
    }
    return n;
}

/* The frame table's own arrays live in the first frames of the window. */
static int setup_frames(void)
{
    uint64_t bases[ROOT_MAX_RANGES], sizes[ROOT_MAX_RANGES];
    unsigned n = root->range_count;
    for (unsigned i = 0; i < n; i++) {
        bases[i] = root->ranges[i].base;
        sizes[i] = root->ranges[i].size;
    }
    uint64_t bytes = frames_needed_bytes(sizes, n);
    uint64_t table_pages = (bytes + 4095) / 4096;
    /* Put the arrays in the first range big enough for them. */
    unsigned host = n;
    for (unsigned i = 0; i < n; i++)
        if (sizes[i] / 4096 > table_pages) {
            host = i;
            break;
        }
    if (host == n)
        return -1;
    uint32_t *table = window(bases[host]);
    uint64_t total = bytes / (2 * sizeof(uint32_t));
    frames_init(&frames, bases, sizes, n, table, table + total);
    for (uint64_t i = 0; i < table_pages; i++)
        frames_reserve(&frames, (uint32_t)frames_index(&frames, bases[host] + i * 4096));
    /* Promise processes at most what is free, less a sixteenth kept for our
     * own tables, so a fault on committed memory always finds a frame. */
    commit_limit = frames.free_count - frames.free_count / 16;
    return 0;
}

static void init_name(char *out, unsigned size)
{
    if (cmdline_get(root->cmdline, "init", out, size))
        return;
    if (root->module_count > 1) {
        unsigned n = 0;
        for (; root->modules[1].name[n] && n + 1 < size; n++)
            out[n] = root->modules[1].name[n];
        out[n] = 0;
    }
}

/* PG_GETENV: "key=value" words of the kernel command line. */
static void getenv_reply(const struct ipc_msg *m, struct ipc_msg *reply)
{
    char key[25];
    memcpy(key, m->w, 24);
    key[24] = 0;
    char *out = (char *)&reply->w[1];
    memset(out, 0, 24);
    reply->w[0] = key[0] && cmdline_get(root->cmdline, key, out, 24) ? PG_OK : PG_ENOENT;
}

/* Handles one request of p; returns 1 when `reply` must be sent. */
static int serve(struct process *p, struct ipc_msg *m, struct ipc_msg *reply)
{
    uint64_t label = tag_label(m->tag);
    int replied;
    switch (label) {
    case FAULT_PAGE:
    case FAULT_EXCEPTION:
        if (!msg_from_kernel(m->tag))
            return 1;                 /* a process sent it: no fault, and nothing of ours leaks */
        return fault_handle(p, m, reply);
    case DEATH_NOTICE:
        /* The kernel says the process's last thread is gone (it called
         * SYS_EXIT itself, or the kernel killed it): reclaim as for exit. */
        if (msg_from_kernel(m->tag))
            proc_exit(p, PG_STATUS_OF_DEATH(m->w[0], m->w[1]));
        return !msg_from_kernel(m->tag);
    case PG_EXIT:
        proc_exit(p, (int)m->w[0]);
        return 0;
    case PG_FORK:
        proc_fork(p, m, reply);
        return 1;
    case PG_WAIT:
        proc_wait(p, m, reply, &replied);
        return replied;
    case PG_GETPID:
        reply->w[0] = PG_OK;
        reply->w[1] = p->pid;
        reply->w[2] = p->parent;
        return 1;
    case PG_MMAP:
        mem_mmap(p, m, reply);
        return 1;
    case PG_MPROTECT:
        mem_mprotect(p, m, reply);
        return 1;
    case PG_MUNMAP:
        mem_munmap(p, m, reply);
        return 1;
    case PG_STATS:
        stats_reply(m->w[0], reply);
        return 1;
    case PG_SPAWN: {
        char name[25];
        memcpy(name, m->w, 24);
        name[24] = 0;
        handle_t gift = (m->tag & TAG_GRANT) ? m->w[3] : 0;
        int err;
        struct process *c = proc_spawn(name, p->pid, gift, &err);
        reply->w[0] = c ? PG_OK : (uint64_t)err;   /* (dispatch closes our copy) */
        reply->w[1] = c ? c->pid : 0;
        return 1;
    }
    case PG_GETENV:
        getenv_reply(m, reply);
        return 1;
    case PG_INFO:
        reply->w[0] = PG_OK;
        reply->w[1] = PG_FEATURE_FORK | PG_FEATURE_COMMIT | PG_FEATURE_LAZY;
        memcpy(&reply->w[2], "pager", 6);
        return 1;
    case PG_KILL:
        reply->w[0] = proc_kill_child(p, m->w[0]);
        return 1;
    default:
        reply->w[0] = PG_ENOSYS;
        return 1;
    }
}

/* Handles one message; returns 1 when `reply` must be sent. A handle that
 * came with it (TAG_GRANT) is closed whatever the request: only PG_SPAWN
 * uses one, and gives the child its own copy; kept, they would fill our
 * table and stop every fork. */
static int dispatch(uint64_t badge, struct ipc_msg *m, struct ipc_msg *reply)
{
    struct process *p = proc_from_badge(badge);
    handle_t granted = (m->tag & TAG_GRANT) ? m->w[3] : 0;
    *reply = (struct ipc_msg){ .tag = 0, .w = { PG_EINVAL, 0, 0, 0 } };
    int answer = p ? serve(p, m, reply) : 0;  /* a process already gone: no answer */
    if (granted)
        sys_handle_close(granted);
    return answer;
}

int main(const struct root_info *ri)
{
    root = ri;
    if (!ri || ri->magic != ROOT_INFO_MAGIC || setup_frames()) {
        printf("pager: no usable root info or memory\n");
        return 1;
    }
    if (sys_endpoint_create(&pager_ep)) {
        printf("pager: cannot create its endpoint\n");
        return 1;
    }
    max_children = cmdline_number("pager.max_children", 64);
    process_commit_limit = cmdline_number("pager.max_mib", commit_limit / 2 / 256) * 256;
    kmem_top_limit = cmdline_number("pager.kmem_kib", kmem_top_default() * 4) / 4;
    char name[ROOT_NAME_MAX];
    init_name(name, sizeof(name));
    printf("pager: %u frames (%u MiB), committing up to %lu pages; starting %s\n", frames.total,
           frames.total >> 8, commit_limit, name[0] ? name : "(nothing)");
    printf("pager: per process at most %lu live children and %lu MiB committed; "
           "%lu KiB of kernel memory for a top process\n", max_children,
           process_commit_limit / 256, kmem_top_limit * 4);
    int err = 0;
    struct process *init = name[0] ? proc_spawn(name, 0, 0, &err) : 0;
    if (!init) {
        printf("pager: cannot start init '%s' (error %d)\n", name, err);
        stats_print();
        return name[0] ? 1 : 0;
    }
    uint64_t init_pid = init->pid;

    struct ipc_msg m, reply;
    struct ipc_status st = sys_recv(pager_ep, &m);
    for (;;) {
        uint64_t badge = st.badge;
        struct process *p;
        int answer;
        /* (The kernel's fault tag is exactly this; a process cannot send it.) */
        if (!st.status && m.tag == (FAULT_PAGE | TAG_KERNEL) && (p = proc_from_badge(badge))) {
            /* The common case first: a page fault, answered in place (the
             * handler reads the message before it writes the reply). */
            answer = fault_handle(p, &m, &m);
        } else {
            answer = st.status ? 0 : dispatch(badge, &m, &reply);
            if (answer)
                m = reply;
        }
        if (init->state != PROC_LIVE || init->pid != init_pid)
            break;                    /* init is gone: the run is over */
        if (answer) {
            st = sys_reply_recv(pager_ep, &m);
            if (st.status) {
                /* Our reply was refused. IPC_ENOMEM: the process's kernel
                 * account has no room for the page tables or mapping its
                 * fault needs. Anything else is a pager bug. Either way
                 * the process ends rather than wait forever. */
                struct process *p = proc_from_badge(badge);
                uint64_t why = st.status == IPC_ENOMEM ? FAULT_REASON_OUT_OF_MEMORY
                                                        : FAULT_REASON_NONE;
                if (st.status == IPC_ENOMEM)
                    printf("pager: process %lu is out of kernel memory (its limit: %lu "
                           "frames); killed\n", p ? p->pid : 0, p ? p->kmem_limit : 0);
                else
                    printf("pager: reply refused with status %lu\n", st.status);
                struct ipc_msg kill = { .tag = FAULT_KILL, .w = { why } };
                sys_reply(&kill);
                if (p)
                    proc_exit(p, (int)PG_STATUS_KILLED(why));
                st = sys_recv(pager_ep, &m);
            }
        } else {
            st = sys_recv(pager_ep, &m);
        }
    }
    int status = init->exit_status;
    printf("pager: init exited with status %d\n", status);
    stats_print();
    return status;
}
