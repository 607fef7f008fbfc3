/* Object slabs and handle tables; see object.h. */
#include <stddef.h>
#include <kernel/account.h>
#include <kernel/frames.h>
#include <kernel/lib.h>
#include <kernel/object.h>
#include <kernel/panic.h>
#include <kernel/boot.h>
#include <kernel/space.h>
#include <kernel/thread.h>
#include <kernel/endpoint.h>
#include <kernel/ipc.h>

/* Objects come from the stocks of the account that pays for them
 * (account.h): the creator's. */
static uint64_t live_objects;

bool object_reserve(struct account *a, enum object_type type)
{
    return stock_reserve(&a->stocks[type], 1);
}

void *object_alloc(struct account *a, enum object_type type)
{
    if (!object_reserve(a, type))
        return NULL;
    struct stock *st = &a->stocks[type];
    struct object *o = stock_take(st);
    memset(o, 0, st->size);
    o->type = type;
    account_ref(a);                   /* an account outlives its objects */
    live_objects++;
    return o;
}

void object_ref(struct object *o) { o->refs++; }

static void object_free(struct object *o)
{
    struct account *a = stock_of(o)->owner;
    o->type = OBJ_NONE;
    stock_put(o);
    live_objects--;
    account_unref(a);
}

/* ---- ownership ---- */

static void list_push(struct object **head, struct object *o)
{
    o->next = *head;
    if (o->next)
        o->next->link = &o->next;
    o->link = head;
    *head = o;
}

void object_disown(struct object *o)
{
    if (!o->link)
        return;
    *o->link = o->next;
    if (o->next)
        o->next->link = o->link;
    o->next = NULL;
    o->link = NULL;
    o->owner = NULL;
}

void object_set_owner(struct object *o, struct space *owner)
{
    object_disown(o);
    if (owner) {
        o->owner = owner;
        list_push(&owner->owned, o);
    }
}

/* Objects whose owner died, waiting to be destroyed. */
static struct object *orphans;
static bool destroying;

static void destroy(struct object *o)
{
    switch (o->type) {
    case OBJ_SPACE: space_destroy((struct space *)o); break;
    case OBJ_THREAD: thread_kill((struct thread *)o, IPC_EDEAD); break;
    case OBJ_ENDPOINT: endpoint_destroy((struct endpoint *)o); break;
    default: break;
    }
}

void object_owner_died(struct space *s)
{
    while (s->owned) {
        struct object *o = s->owned;
        object_disown(o);
        list_push(&orphans, o);
    }
    if (destroying)
        return;                        /* the loop below will get to them */
    destroying = true;
    while (orphans) {
        struct object *o = orphans;
        object_ref(o);                 /* keep it while it is destroyed */
        object_disown(o);
        destroy(o);
        object_unref(o);
    }
    destroying = false;
}

/* Objects whose last reference went, waiting for release_all. */
static struct object *to_release;
static bool releasing;

/* Finish the teardown a destroy call would have done (a space nobody
 * names, an endpoint nobody uses), then free; what that releases in turn
 * joins the list instead of nesting on the stack. */
static void release_all(void)
{
    releasing = true;
    while (to_release) {
        struct object *o = to_release;
        to_release = o->next;
        switch (o->type) {
        case OBJ_SPACE: space_release((struct space *)o); break;
        case OBJ_ENDPOINT: endpoint_release((struct endpoint *)o); break;
        case OBJ_REPLY: ipc_reply_release((struct reply_cap *)o); break;
        default: break;       /* a thread's own reference keeps it until it dies */
        }
        object_free(o);
    }
    releasing = false;
}

void object_unref(struct object *o)
{
    if (--o->refs) {
        if (o->refs == 1 && o->type == OBJ_THREAD)
            thread_unnamed((struct thread *)o);   /* only its own reference left */
        return;
    }
    object_disown(o);
    o->next = to_release;              /* (link stays NULL: no list to leave) */
    to_release = o;
    if (!releasing)
        release_all();
}

uint64_t object_count(void) { return live_objects; }

/* ---- handles ---- */

static struct handle *slot(struct handle_table *t, uint64_t h)
{
    struct handle *page = t->pages[h / HANDLES_PER_PAGE];
    return page ? &page[h % HANDLES_PER_PAGE] : NULL;
}

uint64_t handle_get(struct space *s, handle_t h, enum object_type type, uint32_t rights,
                    struct handle **out)
{
    if (h == HANDLE_NONE || h >= HANDLE_MAX)
        return IPC_EHANDLE;
    struct handle *e = slot(&s->handles, h);
    if (!e || !e->obj)
        return IPC_EHANDLE;
    if (type != OBJ_NONE && e->obj->type != type)
        return IPC_ETYPE;
    if ((e->rights & rights) != rights)
        return IPC_ERIGHTS;
    *out = e;
    return e->obj->dead ? IPC_EDEAD : IPC_OK;
}

bool handle_reserve(struct space *s)
{
    struct handle_table *t = &s->handles;
    if (t->free_head)
        return true;
    uint64_t h = t->next_fresh ? t->next_fresh : 1;
    if (h >= HANDLE_MAX)
        return false;
    if (!t->pages[h / HANDLES_PER_PAGE]) {
        uint64_t pa = s->account ? space_frame_alloc(s) : 0;   /* none: torn down */
        if (!pa)
            return false;
        t->pages[h / HANDLES_PER_PAGE] = memset(phys_to_virt(pa), 0, FRAME_SIZE);
    }
    return true;
}

handle_t handle_install(struct space *s, struct object *obj, uint32_t rights, uint64_t badge)
{
    if (!handle_reserve(s))
        return HANDLE_NONE;
    struct handle_table *t = &s->handles;
    uint64_t h = t->free_head;
    if (h) {
        t->free_head = (uint32_t)slot(t, h)->badge;
    } else {
        h = t->next_fresh ? t->next_fresh : 1;    /* 0 is HANDLE_NONE; its page exists */
        t->next_fresh = (uint32_t)h + 1;
    }
    struct handle *e = slot(t, h);
    *e = (struct handle){ .obj = obj, .badge = badge, .rights = rights };
    object_ref(obj);
    return h;
}

void handle_remove(struct space *s, handle_t h)
{
    struct handle *e = slot(&s->handles, h);
    struct object *o = e->obj;
    e->obj = NULL;
    e->badge = s->handles.free_head;
    s->handles.free_head = (uint32_t)h;
    object_unref(o);
}

void handle_table_destroy(struct space *s)
{
    struct handle_table *t = &s->handles;
    for (uint64_t h = 1; h < t->next_fresh; h++) {
        struct handle *e = slot(t, h);
        if (e && e->obj) {
            struct object *o = e->obj;
            e->obj = NULL;
            object_unref(o);
        }
    }
    for (unsigned i = 0; i < HANDLE_PAGES; i++) {
        if (t->pages[i])
            space_frame_free(s, (uint64_t)t->pages[i] - KERNEL_DIRECT_MAP);
        t->pages[i] = NULL;
    }
    t->free_head = 0;
    t->next_fresh = 0;
}
