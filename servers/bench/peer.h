/* What the bench asks bench_peer besides the calls it echoes
 * (ipc_cross_cpu, servers/bench/ipc.c). */
#ifndef BENCH_PEER_H
#define BENCH_PEER_H

/* The first call only: pin yourself to CPU w0. Answered with the
 * PEER_WHERE reply. */
#define PEER_PIN   0x7e01
/* Where are you: answered with w0 = the pin's status, w1 = the CPU the
 * peer runs on now, w2 = the CPU it ran on before the pin. */
#define PEER_WHERE 0x7e02

#endif
