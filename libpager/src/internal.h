/* What libpager's own files share; policies see only libpager.h. */
#ifndef LIBPAGER_INTERNAL_H
#define LIBPAGER_INTERNAL_H

#include <libpager/libpager.h>

#define LP_PRIORITY 10                /* of the processes a root pager starts */

extern const struct lp_policy *lp_policy;
extern const struct root_info *lp_root;       /* NULL when stacked */
extern handle_t lp_ep;                        /* the endpoint everyone calls */
extern uint64_t lp_commit_limit, lp_committed, lp_process_commit_limit;
extern uint64_t lp_max_children, lp_kmem_top_limit;

/* memory.c */
int lp_memory_setup(void);
int lp_frames_setup(void);
void lp_commit_setup(uint64_t free_frames);
uint64_t lp_memory_frames(void);

/* image.c */
const struct lp_module *lp_module_find(const char *name);
uint64_t lp_image_of(const struct lp_module *m, struct lp_image *out);

/* process.c */
extern struct lp_process lp_procs[LP_MAX_PROCS];
/* lp_process_of, inline for the server loop: every message asks. */
static inline struct lp_process *process_of(uint64_t badge)
{
    struct lp_process *p = &lp_procs[badge & 0xff];
    return p->state == LP_LIVE && p->pid == badge >> 8 ? p : 0;
}
struct lp_process *lp_spawn(const char *name, uint64_t parent, handle_t gift, uint64_t *err);
uint64_t lp_fork(struct lp_process *p, uint64_t rip, uint64_t rsp, uint64_t *pid);
void lp_exit(struct lp_process *p, int status);
/* 1: reply holds the answer now; 0: a child's exit will answer. */
int lp_wait(struct lp_process *p, int64_t pid, struct ipc_msg *reply);
uint64_t lp_kill_child(struct lp_process *p, uint64_t pid);
uint64_t lp_live_count(void);

/* serve.c: one request that is not a page fault; 1 when reply is to be sent. */
int lp_dispatch(uint64_t badge, struct ipc_msg *m, struct ipc_msg *reply);

/* stats.c */
void lp_stats_print(void);
void lp_stats_reply(uint64_t group, struct ipc_msg *reply);
uint32_t lp_features(void);

#endif
