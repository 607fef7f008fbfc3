/*
 * Names for ids. A thread's space comes from the records it writes (their
 * thread, space fields), from SWITCH records to it (words[0] is the space
 * of the thread switched to) and THREAD_END (words[0]); the first one seen
 * wins, since ids are never reused in a run. Spaces are named by their
 * TRACE_SPACE record. Thread 0 is the kernel (or the idle loop): its
 * records go to space 0 whatever their space field says.
 */
#include "tracetool.h"

#include <stdlib.h>

void decode_name(uint64_t w0, uint64_t w1, char out[TRACE_NAME_MAX + 1])
{
    size_t len = 0;
    for (unsigned i = 0; i < TRACE_NAME_MAX; i++) {
        unsigned c = (unsigned)((i < 8 ? w0 >> (8 * i) : w1 >> (8 * (i - 8))) & 0xff);
        if (c == 0)
            break;
        /* Anything but printable ASCII becomes '?': names land in text,
         * JSON and XML, and a damaged record must not break any of them. */
        out[len++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    out[len] = 0;
}

static size_t add_space(struct names *nm, uint32_t id)
{
    size_t *ix = idmap_put(&nm->spc_ix, id, nm->nspc);
    if (*ix == nm->nspc) {
        xgrow((void **)&nm->spc, &nm->capspc, nm->nspc + 1, sizeof(*nm->spc));
        nm->spc[nm->nspc++] = (struct space_info){.id = id};
    }
    return *ix;
}

static size_t add_thread(struct names *nm, uint32_t id)
{
    size_t *ix = idmap_put(&nm->thr_ix, id, nm->nthr);
    if (*ix == nm->nthr) {
        xgrow((void **)&nm->thr, &nm->capthr, nm->nthr + 1, sizeof(*nm->thr));
        nm->thr[nm->nthr++] = (struct thread_info){.id = id, .space_known = id == 0};
    }
    return *ix;
}

static void learn(struct names *nm, uint32_t thread, uint32_t space)
{
    size_t ix = add_thread(nm, thread);   /* before taking nm->thr: it may move */
    struct thread_info *t = &nm->thr[ix];
    if (!t->space_known) {
        t->space = space;
        t->space_known = 1;
    }
    add_space(nm, t->space);
}

void names_build(struct names *nm, const struct trace *tr)
{
    *nm = (struct names){0};
    add_thread(nm, 0);
    add_space(nm, 0);
    for (size_t i = 0; i < tr->n; i++) {
        const struct trace_record *r = &tr->rec[i];
        learn(nm, r->thread, r->space);
        switch (r->event) {
        case TRACE_SWITCH:
        case TRACE_THREAD_END:
            if (r->peer)
                learn(nm, r->peer, (uint32_t)r->words[0]);
            break;
        case TRACE_SPACE: {
            size_t ix = add_space(nm, (uint32_t)r->words[2]);
            struct space_info *s = &nm->spc[ix];
            decode_name(r->words[0], r->words[1], s->name);
            s->named = s->name[0] != 0;
            break;
        }
        case TRACE_KILL:                /* the space is words[2] (ipc/trace.h) */
        case TRACE_UNMAP:
        case TRACE_PROTECT:
        case TRACE_REVOKE:
            add_space(nm, (uint32_t)r->words[2]);
            break;
        case TRACE_DEATH_NOTICE:
            add_space(nm, (uint32_t)r->words[0]);
            break;
        case TRACE_MAP:
            add_space(nm, (uint32_t)(r->words[2] >> 32));
            break;
        default:
            break;
        }
        if (r->peer)
            add_thread(nm, r->peer);
    }
}

void names_free(struct names *nm)
{
    free(nm->thr);
    free(nm->spc);
    idmap_free(&nm->thr_ix);
    idmap_free(&nm->spc_ix);
    *nm = (struct names){0};
}

size_t names_thread(const struct names *nm, uint32_t thread)
{
    size_t *ix = idmap_get(&nm->thr_ix, thread);
    return ix ? *ix : TT_NONE;
}

uint32_t names_space_of(const struct names *nm, uint32_t thread)
{
    size_t ix = names_thread(nm, thread);
    return ix == TT_NONE ? 0 : nm->thr[ix].space;
}

const char *names_space_name(const struct names *nm, uint32_t space)
{
    size_t *ix = idmap_get(&nm->spc_ix, space);
    return ix ? nm->spc[*ix].name : "";
}

void space_title(const struct names *nm, uint32_t space, char *out, size_t cap)
{
    const char *name = names_space_name(nm, space);
    if (name[0])
        snprintf(out, cap, "%s (space %u)", name, space);
    else if (space == 0)
        snprintf(out, cap, "kernel (space 0)");
    else
        snprintf(out, cap, "space %u", space);
}
