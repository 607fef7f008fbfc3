# Helpers for the three kinds of code in this tree:
#   host      - unit tests, clang's default target, linked by the clang driver
#   kernel    - freestanding higher-half ELF (-mcmodel=kernel)
#   user      - freestanding user programs and servers, low addresses
#   efi       - the gnu-efi loader (PIC, MS ABI calls into firmware)
# Freestanding images are linked by calling ld.lld directly: the clang
# driver would hand a bare-metal link to gcc, which a minimal machine lacks.

find_program(LD_LLD NAMES ld.lld ld.lld-14 ld.lld-16 ld.lld-19 REQUIRED)

set(FREESTANDING_FLAGS
  --target=x86_64-unknown-none-elf -ffreestanding -fno-stack-protector
  -fno-builtin -mno-red-zone -mno-sse -mno-mmx -mno-80387
  -fno-asynchronous-unwind-tables -fno-omit-frame-pointer -g -O2)

set(KERNEL_FLAGS ${FREESTANDING_FLAGS} -fno-pic -fno-pie -mcmodel=kernel)
set(USER_FLAGS ${FREESTANDING_FLAGS} -fno-pic -fno-pie -mcmodel=small)

# link_freestanding(<target> <objlib> <linker-script> [extra objlibs...])
# Produces <target>.elf (in FREESTANDING_OUT_DIR if set, else the current
# binary directory) and a custom target
# <target> that builds it.
function(link_freestanding target objlib script)
  if(NOT FREESTANDING_OUT_DIR)
    set(FREESTANDING_OUT_DIR ${CMAKE_CURRENT_BINARY_DIR})
  endif()
  set(out ${FREESTANDING_OUT_DIR}/${target}.elf)
  set(objs $<TARGET_OBJECTS:${objlib}>)
  foreach(extra ${ARGN})
    list(APPEND objs $<TARGET_OBJECTS:${extra}>)
  endforeach()
  add_custom_command(OUTPUT ${out}
    COMMAND ${LD_LLD} -nostdlib -static -z max-page-size=0x1000
            --build-id=none -T ${script} -o ${out} ${objs}
    DEPENDS ${objlib} ${ARGN} ${script} ${objs}
    COMMAND_EXPAND_LISTS
    COMMENT "Linking ${target}.elf")
  add_custom_target(${target} ALL DEPENDS ${out})
  set_target_properties(${target} PROPERTIES ELF ${out})
endfunction()

# add_user_program(<name> SOURCES ... [LIBS objlib...]): a freestanding user
# ELF linked at the user base address with libipc's runtime, and with the
# object libraries in LIBS (e.g. libpager) and their headers.
function(add_user_program name)
  cmake_parse_arguments(P "" "" "SOURCES;LIBS" ${ARGN})
  add_library(${name}_objs OBJECT ${P_SOURCES})
  target_compile_options(${name}_objs PRIVATE ${USER_FLAGS})
  target_include_directories(${name}_objs PRIVATE ${PROJECT_SOURCE_DIR}/libipc/include)
  foreach(lib ${P_LIBS})
    target_include_directories(${name}_objs PRIVATE
      $<TARGET_PROPERTY:${lib},INTERFACE_INCLUDE_DIRECTORIES>)
  endforeach()
  # Every user program lands in build/servers/, where the scripts look.
  set(FREESTANDING_OUT_DIR ${PROJECT_BINARY_DIR}/servers)
  link_freestanding(${name} ${name}_objs ${PROJECT_SOURCE_DIR}/libipc/user.ld libipc_user ${P_LIBS})
endfunction()

# add_pager(<name> SOURCES ...): a pager on libpager (docs/writing-a-pager.md).
function(add_pager name)
  add_user_program(${name} ${ARGN} LIBS libpager)
endfunction()
