/*
 * What the runner and its child (conf_child.elf) agree on. The boot has
 * room for 16 modules only, so one child program does every behaviour: it
 * is spawned with an endpoint as its gift (CHILD_GIFT_HANDLE), asks on it
 * which behaviour (a call labelled CHILD_ASK), and is told in w0.
 */
#ifndef CONFORMANCE_CHILD_H
#define CONFORMANCE_CHILD_H

#define CHILD_MODULE "conf_child.elf"
#define CHILD_ASK    0xc41du

enum child_behaviour {
    CHILD_EXIT = 1,       /* checks its image and stack, exits with 7 */
    CHILD_WILD,           /* reads the stack's guard page */
    CHILD_RO,             /* writes its read-only data */
    CHILD_NX,             /* calls into a page mapped without PROT_EXEC */
    CHILD_MPROTECT,       /* writes a page it made read-only */
    CHILD_MUNMAP,         /* touches a page it unmapped */
    CHILD_BLOCK,          /* waits until killed */
    CHILD_THREAD,         /* a second thread sends 42 on the gift; waits until killed */
    CHILD_PRINT_UNTOUCHED,/* prints from a page of its image it never touched: exits 7 */
};

/* The exit status of CHILD_EXIT when all was right. */
#define CHILD_EXIT_STATUS 7

#endif
