/* Waiting threads of a process; see ipc/waiters.h. */
#include <ipc/pager.h>
#include <ipc/waiters.h>

uint64_t waiters_add(struct waiters *w, int64_t want)
{
    for (unsigned i = 0; i < WAITERS_MAX; i++) {
        if (w->reply[i])
            continue;
        if (sys_reply_save(&w->reply[i])) {
            w->reply[i] = 0;
            return PG_ENOMEM;
        }
        w->want[i] = want;
        return 0;
    }
    return PG_ELIMIT;
}

static int find(const struct waiters *w, int64_t pid)
{
    for (unsigned i = 0; i < WAITERS_MAX; i++)
        if (w->reply[i] && (w->want[i] == 0 || w->want[i] == pid))
            return (int)i;
    return -1;
}


int waiters_answer(struct waiters *w, int64_t pid, const struct ipc_msg *m)
{
    int i = find(w, pid);
    if (i < 0)
        return 0;
    struct ipc_msg answer = *m;
    sys_reply_saved(w->reply[i], &answer);
    sys_handle_close(w->reply[i]);
    w->reply[i] = 0;
    return 1;
}

int waiters_for(const struct waiters *w, int64_t want)
{
    for (unsigned i = 0; i < WAITERS_MAX; i++)
        if (w->reply[i] && w->want[i] == want)
            return 1;
    return 0;
}

void waiters_refuse(struct waiters *w, int64_t pid)
{
    struct ipc_msg m = { .tag = 0, .w = { PG_ECHILD, 0, 0, 0 } };
    for (unsigned i = 0; i < WAITERS_MAX; i++) {
        if (!w->reply[i] || w->want[i] != pid)
            continue;
        sys_reply_saved(w->reply[i], &m);
        sys_handle_close(w->reply[i]);
        w->reply[i] = 0;
    }
}

void waiters_drop(struct waiters *w)
{
    for (unsigned i = 0; i < WAITERS_MAX; i++) {
        if (w->reply[i])
            sys_handle_close(w->reply[i]);
        w->reply[i] = 0;
    }
}
