/*
 * Kernel objects (spaces, threads, endpoints) and the per-space handle
 * tables that name them.
 *
 * Lifetime: an object counts its references: handles; a live thread's
 * reference to itself, its space and its pager endpoint; a blocked thread's
 * reference to the endpoint it waits on. Destroying an object tears it down
 * at once (threads die, waiters get IPC_EDEAD) and marks it dead; its memory
 * returns to the type's slab when the last reference goes, and an object
 * whose last reference goes without a destroy is torn down then. A handle to
 * a dead object answers IPC_EDEAD.
 *
 * Ownership: every space, thread and endpoint a task makes is owned by
 * that task's space. When the owner's task dies (its last thread is gone,
 * or its space is destroyed or torn down) everything it owns is destroyed
 * too, and so on down what those owned: nothing outlives its creator.
 * Like release, this runs from a work list, never by recursion.
 */
#ifndef KERNEL_OBJECT_H
#define KERNEL_OBJECT_H

#include <ipc/abi.h>
#include <stdbool.h>
#include <stdint.h>

enum object_type {
    OBJ_NONE = 0, OBJ_SPACE, OBJ_THREAD, OBJ_ENDPOINT, OBJ_REPLY, OBJ_TYPE_COUNT
};

struct space;

struct object {
    uint16_t type;
    bool     dead;
    uint8_t  pad;
    uint32_t refs;
    /* Alive: on its owner's list (or the orphans'); last reference gone:
     * on the list of objects to release. */
    struct object *next;
    struct object **link;          /* what points at us there (NULL: no list) */
    struct space *owner;           /* whose task made it (NULL: the kernel) */
};
_Static_assert(sizeof(struct object) == 32, "32 bytes: keeps what follows 16-aligned");

struct account;
/* Zeroed objects of a type, from the stock of the account that pays for
 * them (account.h); the object holds a reference to it. After
 * object_reserve(a, type) returned true, the next object_alloc(a, type)
 * cannot fail (the stock keeps what it grew). */
bool  object_reserve(struct account *a, enum object_type type);
void *object_alloc(struct account *a, enum object_type type);
void  object_ref(struct object *o);
/* Drops a reference; at zero, tears the object down if needed and frees
 * it. Releasing one object may drop the last reference to others (a
 * space's handles name more spaces): they queue and are released one
 * after the other by the outermost call, so a chain of any length is torn
 * down in bounded kernel stack. */
void  object_unref(struct object *o);
/* o now belongs to owner (NULL: to no task). */
void object_set_owner(struct object *o, struct space *owner);
/* o leaves its owner's list (it is being destroyed or released). */
void object_disown(struct object *o);
/* The task of space s died: destroy everything it owns, then what those
 * owned, from a work list. */
void object_owner_died(struct space *s);

/* Live objects of all types (for the leak checks). */
uint64_t object_count(void);

/* ---- handle tables ---- */

struct handle {
    struct object *obj;       /* NULL: free slot */
    uint64_t badge;           /* or, for a free slot, the next free index */
    uint32_t rights;
    uint32_t reserved;
    uint64_t reserved2;       /* 32 bytes: slot arithmetic by shifts */
};

#define HANDLES_PER_PAGE (4096 / sizeof(struct handle))
#define HANDLE_PAGES     (HANDLE_MAX / HANDLES_PER_PAGE)

struct handle_table {
    struct handle *pages[HANDLE_PAGES];
    uint32_t free_head;       /* first free index, 0 = none */
    uint32_t next_fresh;      /* lowest never-used index */
};

/* Looks up h in the space's table. Checks range, type (OBJ_NONE: any) and
 * rights in that order; returns IPC_OK and the handle, or the error for the
 * first check that fails. A dead object gives IPC_EDEAD (and still sets
 * *out, so the handle can be closed). */
uint64_t handle_get(struct space *s, handle_t h, enum object_type type, uint32_t rights,
                    struct handle **out);

/* Makes sure the next handle_install in s cannot fail (a free slot with
 * its page); false when the table is full or no page can be had. */
bool handle_reserve(struct space *s);

/* Installs a new handle; returns its number, or 0 when the table is full or
 * a page for it cannot be had. Takes a reference on obj. */
handle_t handle_install(struct space *s, struct object *obj, uint32_t rights, uint64_t badge);

/* Frees slot h (dropping its reference). */
void handle_remove(struct space *s, handle_t h);

/* Drops every handle and frees the table's pages. */
void handle_table_destroy(struct space *s);

#endif
