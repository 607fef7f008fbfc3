# Clang + LLD for every target. Host code (unit tests) uses clang's default
# target; freestanding code (kernel, servers, EFI loader) adds --target=
# per target, see cmake/targets.cmake.
set(CMAKE_C_COMPILER clang)
set(CMAKE_ASM_COMPILER clang)
set(CMAKE_LINKER ld.lld)
