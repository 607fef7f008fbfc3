/* xorshift64 (Marsaglia): the fuzzer's and the tests' pseudo-random
 * numbers. Fast, reproducible from a seed, and far from cryptographic.
 * The state must never be 0. Pure: host tests use it too. */
#ifndef IPC_XORSHIFT_H
#define IPC_XORSHIFT_H

#include <stdint.h>

static inline uint64_t xorshift64(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

#endif
