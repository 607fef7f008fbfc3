/*
 * Round trips: a FAULT (or CALL) by thread T, the RECV that delivers it,
 * the REPLY that answers it, the MAP the reply carried, the SWITCH that
 * runs T again. Every match searches forward in record order, which is
 * time order on one CPU.
 *
 * Everything that happens to T after it blocks names T as its peer (the
 * RECV, the REPLY, the SWITCH to it, its KILL or THREAD_END), so the
 * search walks the chain of records with peer == T instead of the whole
 * trace: a trace with many unanswered faults stays linear. The search for
 * one round trip ends at T's next FAULT or CALL (T was running again, so
 * whatever came before was the whole story) or at T's KILL / THREAD_END.
 */
#include "tracetool.h"

#include <ipc/fault.h>

#include <stdlib.h>

int is_fault_label(uint64_t tag)
{
    unsigned label = (unsigned)(tag & 0xffff);
    return label == FAULT_PAGE || label == FAULT_EXCEPTION;
}

/* Per record i: the next record (index > i) with the same peer, with the
 * same thread, whose peer is i's thread, and that is a FAULT or CALL by
 * i's thread. */
struct chains {
    size_t *next_peer, *next_thread, *peer_is_me, *next_block;
};

static size_t get(const struct idmap *m, uint32_t key)
{
    size_t *v = idmap_get(m, key);
    return v ? *v : TT_NONE;
}

static void chains_build(struct chains *c, const struct trace *tr)
{
    struct idmap by_peer = {0}, by_thread = {0}, block = {0};
    c->next_peer = xcalloc(tr->n, sizeof(size_t));
    c->next_thread = xcalloc(tr->n, sizeof(size_t));
    c->peer_is_me = xcalloc(tr->n, sizeof(size_t));
    c->next_block = xcalloc(tr->n, sizeof(size_t));
    for (size_t i = tr->n; i-- > 0;) {
        const struct trace_record *r = &tr->rec[i];
        c->next_peer[i] = get(&by_peer, r->peer);
        c->next_thread[i] = get(&by_thread, r->thread);
        c->peer_is_me[i] = get(&by_peer, r->thread);
        c->next_block[i] = get(&block, r->thread);
        *idmap_put(&by_peer, r->peer, i) = i;
        *idmap_put(&by_thread, r->thread, i) = i;
        if (r->event == TRACE_FAULT || r->event == TRACE_CALL)
            *idmap_put(&block, r->thread, i) = i;
    }
    idmap_free(&by_peer);
    idmap_free(&by_thread);
    idmap_free(&block);
}

static void chains_free(struct chains *c)
{
    free(c->next_peer);
    free(c->next_thread);
    free(c->peer_is_me);
    free(c->next_block);
}

/* Walks the records naming the client as peer: RECV, then REPLY by the
 * receiver, then the SWITCH to the client. A SWITCH to the client before
 * the reply means it ran again without an answer: the round trip is
 * broken there, and nothing after belongs to it. */
static void follow(struct roundtrip *rt, const struct trace *tr, const struct chains *c,
                   unsigned char *used)
{
    size_t limit = c->next_block[rt->start], j;
    for (j = c->peer_is_me[rt->start]; j != TT_NONE && j < limit; j = c->next_peer[j]) {
        const struct trace_record *r = &tr->rec[j];
        if (r->event == TRACE_KILL || r->event == TRACE_THREAD_END || r->event == TRACE_ABORT)
            break;
        if (rt->recv == TT_NONE) {
            if (r->event == TRACE_SWITCH)
                break;
            int fault_msg = is_fault_label(r->words[0]);
            if (r->event == TRACE_RECV && !used[j] && r->thread != 0 &&
                fault_msg == (rt->kind == RT_FAULT)) {
                rt->recv = j;
                rt->server = r->thread;
                rt->sspace = r->space;
            }
        } else if (rt->reply == TT_NONE) {
            if (r->event == TRACE_SWITCH)
                break;
            /* Any thread's: a saved reply (SYS_REPLY_SAVE) may be
             * answered by another thread of the server. */
            if (r->event == TRACE_REPLY && !used[j])
                rt->reply = j;
        } else if (r->event == TRACE_SWITCH) {
            rt->resume = j;
            return;
        }
    }
    /* Where the story ends without a resume: the record that broke it off,
     * or the client's next FAULT / CALL (it ran again, unseen). */
    rt->stop = j != TT_NONE && j < limit ? j : limit;
}

/* The client's first SWITCH away after it blocked, before it runs again. */
static void find_away(struct roundtrip *rt, const struct trace *tr, const struct chains *c)
{
    size_t bound = rt->resume != TT_NONE ? rt->resume : c->next_block[rt->start];
    for (size_t j = c->next_thread[rt->start]; j != TT_NONE && j < bound; j = c->next_thread[j])
        if (tr->rec[j].event == TRACE_SWITCH) {
            rt->away = j;
            return;
        }
}

/* A MAP by the server into the client's space, after a reply that carried
 * a map item and before the client runs; the server's next IPC or switch
 * ends the search. */
static void find_map(struct roundtrip *rt, const struct trace *tr, const struct chains *c)
{
    if (rt->kind != RT_FAULT || rt->reply == TT_NONE || !(tr->rec[rt->reply].words[0] & TAG_MAP))
        return;
    for (size_t j = c->next_thread[rt->reply]; j != TT_NONE && j < rt->resume;
         j = c->next_thread[j]) {
        const struct trace_record *r = &tr->rec[j];
        if (r->event == TRACE_MAP && (uint32_t)(r->words[2] >> 32) == rt->cspace) {
            rt->map = j;
            return;
        }
        if (r->event <= TRACE_SWITCH)   /* CALL, SEND, RECV, REPLY, FAULT, SWITCH */
            return;
    }
}

void rt_match(struct rtlist *rl, const struct trace *tr)
{
    struct chains c;
    *rl = (struct rtlist){0};
    rl->used = xcalloc(tr->n, 1);
    chains_build(&c, tr);
    for (size_t i = 0; i < tr->n; i++) {
        const struct trace_record *r = &tr->rec[i];
        if ((r->event != TRACE_FAULT && r->event != TRACE_CALL) || r->thread == 0)
            continue;
        struct roundtrip rt = {
            .kind = r->event == TRACE_FAULT ? RT_FAULT : RT_CALL,
            .client = r->thread, .cspace = r->space, .start = i, .away = TT_NONE,
            .recv = TT_NONE, .reply = TT_NONE, .map = TT_NONE, .resume = TT_NONE,
            .stop = TT_NONE};
        follow(&rt, tr, &c, rl->used);
        find_away(&rt, tr, &c);
        find_map(&rt, tr, &c);
        /* Claimed records are drawn as spans; the rest stay instants. */
        if (rt.recv != TT_NONE)
            rl->used[i] = rl->used[rt.recv] = 1;
        if (rt.reply != TT_NONE)
            rl->used[rt.reply] = 1;
        xgrow((void **)&rl->v, &rl->cap, rl->n + 1, sizeof(*rl->v));
        rt.nth = rt.kind == RT_FAULT ? rl->nfault++ : rl->n - rl->nfault;
        rl->v[rl->n++] = rt;
    }
    chains_free(&c);
}

const struct roundtrip *rt_fault(const struct rtlist *rl, size_t n)
{
    for (size_t i = 0; i < rl->n; i++)
        if (rl->v[i].kind == RT_FAULT && n-- == 0)
            return &rl->v[i];
    return NULL;
}

void rt_free(struct rtlist *rl)
{
    free(rl->v);
    free(rl->used);
    *rl = (struct rtlist){0};
}
