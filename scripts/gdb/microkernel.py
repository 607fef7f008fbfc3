"""gdb helpers for the microkernel (docs/debugging.md).

scripts/run-ovmf.sh --gdb writes build/gdb/<config>.gdb, which sources this
file, runs `mk-load KERNEL MODULE...` (the root task first) and connects.

The kernel is mapped in every address space, so its symbols are always
loaded. The boot modules are static ELFs all linked at the same base: their
addresses overlap, and gdb cannot tell from an address which program it
belongs to. So gdb holds the symbols of one module at a time, the
"program in focus": whenever the target stops, the focus moves to the
program the running thread belongs to (the kernel's `current`).

Commands:
  mk-load KERNEL MODULE...   the symbol files (the generated file does it)
  mk-break PROGRAM LOCATION  a breakpoint that stops only in PROGRAM
  mk-where                   the running thread, its space and program, the mode
  mk-threads                 every live thread
  mk-user                    run until the current thread is back in user mode
  mk-step, mk-next           step / next in a user program, through the kernel
  mk-focus PROGRAM           use PROGRAM's symbols for user addresses now
"""
import functools
import os
import struct

import gdb

USER_TOP = 0x0000800000000000  # first address that is not a user one

kernel = None     # path of kernel.elf
modules = []      # [(program, path)], the root task first
focus = None      # the program whose symbols gdb holds for user addresses


def program_of_path(path):
    name = os.path.basename(path)
    return name[:-4] if name.endswith(".elf") else name


def path_of(program):
    for name, path in modules:
        if name == program:
            return path
    raise gdb.GdbError("no module '%s' (modules: %s)" % (program, " ".join(n for n, _ in modules)))


def set_focus(program, say=True):
    """Makes gdb resolve user addresses with PROGRAM's symbols."""
    global focus
    if program == focus:
        return
    path = path_of(program)
    if focus is not None:
        gdb.execute('remove-symbol-file "%s"' % path_of(focus), to_string=True)
    focus = None
    gdb.execute('add-symbol-file "%s"' % path, to_string=True)
    focus = program
    if say:
        print("mk: user addresses now use the symbols of %s (%s)" % (program, path))


def kernel_var(name):
    """A kernel variable, looked up in kernel.elf only (a module may have the same name)."""
    objfile = gdb.lookup_objfile(kernel)
    sym = objfile.lookup_global_symbol(name) or objfile.lookup_static_symbol(name)
    if sym is None:
        raise gdb.GdbError("kernel.elf has no symbol '%s'" % name)
    return sym.value()


def this_cpu():
    """The stopped CPU's struct cpu (arch/percpu.h). The kernel reaches it
    through GS: GS base in kernel mode; in user mode the kernel's base waits
    in KERNEL_GS_BASE for the next swapgs. QEMU's stub shows both."""
    cpu0 = kernel_var("cpu0")
    try:
        user = int(gdb.parse_and_eval("$cs")) & 3
        base = int(gdb.parse_and_eval("$k_gs_base" if user else "$gs_base"))
    except gdb.error:
        base = 0
    if base < 0xffff800000000000:         # not a kernel address: not set yet
        return cpu0.address
    return gdb.Value(base).cast(cpu0.type.pointer())


def kernel_current():
    """The kernel's `current` (a per-CPU field since kernel/sched.h made it
    one): the running thread, or a null pointer."""
    return this_cpu().dereference()["running"]


class CurrentFunction(gdb.Function):
    """$mk_current(): the running thread (struct thread *), as the kernel's
    `current` names it, e.g. print $mk_current()->space->id"""

    def __init__(self):
        super().__init__("mk_current")

    def invoke(self):
        return kernel_current()


CurrentFunction()


@functools.lru_cache(maxsize=None)
def file_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def elf_bytes(path, addr, size):
    """The bytes a PT_LOAD segment of the ELF at path puts at addr, or None."""
    data = file_bytes(path)
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    for i in range(phnum):
        kind, _, offset, vaddr, _, filesz = struct.unpack_from("<IIQQQQ", data, phoff + i * phentsize)
        if kind == 1 and vaddr <= addr and addr + size <= vaddr + filesz:
            return data[offset + addr - vaddr:offset + addr - vaddr + size]
    return None


def user_pc(thread):
    """Where thread runs in user mode: the pc, or its saved one in the kernel."""
    pc = int(gdb.parse_and_eval("$pc"))
    return pc if pc < USER_TOP else int(thread["ctx"]["rip"])


def program_of(thread, running=False):
    """The program (module name) whose thread this is, or None when unknown.

    A space's name (the `name` field of struct space, when the kernel has
    it and the space was given one) says it; else the root task is the first
    module, and another program is the one module whose code is at the
    running thread's user pc (any module: a stacked pager runs the root
    task's file)."""
    space = thread["space"]
    if int(space) == 0:
        return None
    if "name" in [f.name for f in space.dereference().type.fields()]:
        raw = bytes(int(space["name"][i]) & 0xFF for i in range(space["name"].type.sizeof))
        name = raw.split(b"\0")[0].decode(errors="replace")
        if name:
            return program_of_path(name)
    if bool(space["is_root"]):
        return modules[0][0]
    if not running:
        return None               # (its space's memory is not the one gdb reads)
    pc = user_pc(thread)
    try:
        code = bytes(gdb.selected_inferior().read_memory(pc, 16))
    except gdb.MemoryError:
        return None               # not mapped yet: it is about to fault
    found = [n for n, p in modules if elf_bytes(p, pc, 16) == code]
    return found[0] if len(found) == 1 else None


def running():
    """(thread, program) of the running thread: (None, None) while none runs,
    program None when it cannot be told."""
    try:
        thread = kernel_current()
        if int(thread) == 0:
            return None, None
    except (gdb.error, gdb.MemoryError, gdb.GdbError):
        return None, None      # before the kernel runs: its memory is not mapped yet
    try:
        return thread, program_of(thread, running=True)
    except (gdb.error, gdb.MemoryError):
        return thread, None


def state_name(thread):
    try:
        return str(thread["state"].cast(gdb.lookup_type("enum thread_state")))
    except gdb.error:
        return str(int(thread["state"]))


class ProgramBreakpoint(gdb.Breakpoint):
    """A breakpoint at an address that stops only while PROGRAM runs there.
    Silent: on_stop says the stop, once PROGRAM's symbols are in focus."""

    def __init__(self, program, addr):
        super().__init__("*0x%x" % addr)
        self.program, self.silent = program, True

    def stop(self):
        return running()[1] == self.program


quiet = False        # a command that says itself where it stopped runs the target
last_stop = None     # the last stop event


def location():
    """Where the selected frame is, as gdb says it at a stop."""
    return gdb.execute("frame 0", to_string=True).split(None, 1)[1]


def on_stop(event):
    global last_stop
    last_stop = event
    _, program = running()
    moved = program and program != focus and any(program == n for n, _ in modules)
    if moved:
        set_focus(program)
    hit = getattr(event, "breakpoints", ())
    if quiet or any(isinstance(b, ThreadReturn) for b in hit):
        return
    ours = [b for b in hit if isinstance(b, ProgramBreakpoint)]
    if ours:                       # "Breakpoint N, FRAME" as gdb says it
        print("\nBreakpoint %d, %s" % (ours[0].number, location()), end="")
    elif moved:
        gdb.execute("frame 0")     # gdb said the stop with the symbols of another program


class Load(gdb.Command):
    """mk-load KERNEL MODULE...: kernel.elf's symbols, and the boot modules (root task first)."""

    def __init__(self):
        super().__init__("mk-load", gdb.COMMAND_FILES, gdb.COMPLETE_FILENAME)

    def invoke(self, arg, from_tty):
        global kernel, modules, focus
        argv = gdb.string_to_argv(arg)
        if len(argv) < 2:
            raise gdb.GdbError("usage: mk-load KERNEL MODULE...")
        if focus is not None:       # loaded again: the old module goes first
            gdb.execute('remove-symbol-file "%s"' % path_of(focus), to_string=True)
        kernel = os.path.abspath(argv[0])
        gdb.execute('file "%s"' % kernel, to_string=True)
        modules, focus = [], None
        file_bytes.cache_clear()
        for path in argv[1:]:
            if os.path.isfile(path):
                modules.append((program_of_path(path), os.path.abspath(path)))
            else:
                print("mk: no symbols for %s (missing)" % path)
        print("mk: kernel %s; modules %s" % (kernel, " ".join(n for n, _ in modules)))
        if modules:
            set_focus(modules[0][0])


class Break(gdb.Command):
    """mk-break PROGRAM LOCATION: a breakpoint that stops only while PROGRAM runs.

LOCATION is any gdb location (function, FILE:LINE, *ADDRESS), looked up
in PROGRAM's symbols (or the kernel's: then it stops when the kernel
runs there for one of PROGRAM's threads)."""

    def __init__(self):
        super().__init__("mk-break", gdb.COMMAND_BREAKPOINTS)

    def invoke(self, arg, from_tty):
        parts = arg.split(None, 1)
        if len(parts) != 2:
            raise gdb.GdbError("usage: mk-break PROGRAM LOCATION")
        program, location = parts
        before = focus             # (the running program's: stepping needs it back)
        set_focus(program, say=False)
        try:
            _, sals = gdb.decode_line(location)
            pcs = [s.pc for s in sals or ()]
            user = [pc for pc in pcs if pc < USER_TOP]
            for pc in user or pcs:
                bp = ProgramBreakpoint(program, pc)
                print("mk: breakpoint %d stops only in %s" % (bp.number, program))
        finally:
            if before is not None:
                set_focus(before, say=False)


class Where(gdb.Command):
    """mk-where: the running thread, its space, its program, user or kernel mode."""

    def __init__(self):
        super().__init__("mk-where", gdb.COMMAND_STATUS)

    def invoke(self, arg, from_tty):
        pc = int(gdb.parse_and_eval("$pc"))
        mode = "user" if int(gdb.parse_and_eval("$cs")) & 3 == 3 else "kernel"
        thread, program = running()
        if thread is None:
            print("mk: %s mode at 0x%x; no thread runs (boot, idle or firmware)" % (mode, pc))
            return
        space = thread["space"]
        print("mk: %s mode at 0x%x; thread %d (%s) of space %d, program %s%s" % (
            mode, pc, int(thread["id"]), state_name(thread),
            int(space["id"]) if int(space) else -1, program or "unknown",
            " (root task)" if int(space) and bool(space["is_root"]) else ""))
        if mode == "kernel":
            print("mk: its user pc 0x%x, user sp 0x%x" % (int(thread["ctx"]["rip"]),
                                                          int(thread["ctx"]["rsp"])))


class Threads(gdb.Command):
    """mk-threads: every live thread: id, state, priority, space, program, user pc."""

    def __init__(self):
        super().__init__("mk-threads", gdb.COMMAND_STATUS)

    def invoke(self, arg, from_tty):
        cur = int(kernel_current())
        t = kernel_var("all_threads")
        while int(t):
            s = t["space"]
            try:
                program = program_of(t, running=int(t) == cur)
            except (gdb.error, gdb.MemoryError):
                program = None
            print("%s thread %d %-16s prio %2d space %d %-8s user pc 0x%x" % (
                "*" if int(t) == cur else " ", int(t["id"]), state_name(t), int(t["priority"]),
                int(s["id"]) if int(s) else -1, program or "?",
                user_pc(t) if int(t) == cur else int(t["ctx"]["rip"])))
            t = t["all_next"]


class ThreadReturn(gdb.Breakpoint):
    """Internal: an instruction that goes back to user mode, stopping for one thread."""

    def __init__(self, pc, thread):
        super().__init__("*0x%x" % pc, internal=True)
        self.silent, self.owner = True, thread

    def stop(self):
        return int(kernel_current()) == self.owner


def user_returns():
    """The sysretq and iretq instructions by which the kernel enters user mode
    (arch/x86_64/syscall.S: the light calls' exit, then return_to_user)."""
    start = int(gdb.parse_and_eval("(unsigned long)&syscall_entry"))
    last = int(gdb.parse_and_eval("(unsigned long)&return_to_user"))
    found = []
    for insn in gdb.selected_frame().architecture().disassemble(start, count=200):
        op = insn["asm"].split()[0]
        if op in ("sysretq", "iretq"):
            found.append(insn["addr"])
            if op == "iretq" and insn["addr"] > last:
                return found       # return_to_user's last instruction
    raise gdb.GdbError("no iretq after return_to_user (syscall.S changed?)")


def quietly(command):
    """Runs an execution command without gdb's word on where it stopped."""
    global quiet
    quiet = True
    gdb.execute("set suppress-cli-notifications on")
    try:
        gdb.execute(command, to_string=True)
    finally:
        gdb.execute("set suppress-cli-notifications off")
        quiet = False


def announce(line_only):
    """Says where a quiet command stopped: a breakpoint, or the line."""
    hit = [b for b in getattr(last_stop, "breakpoints", ()) if b.visible]
    if hit:
        print("\nBreakpoint %d, %s" % (hit[0].number, location()), end="")
    elif line_only:
        print(location().splitlines()[-1])
    else:
        print(location(), end="")


def back_to_user():
    """Runs until the current thread is back in user mode: True; False when
    something else stopped it first (a breakpoint, which gdb announces)."""
    thread = int(kernel_current())
    if not thread:
        raise gdb.GdbError("no thread runs")
    returns = user_returns()
    bps = [ThreadReturn(pc, thread) for pc in returns]
    try:
        gdb.execute("continue")
    finally:
        for bp in bps:
            bp.delete()
    if int(gdb.parse_and_eval("$pc")) not in returns:
        return False
    quietly("stepi")
    return True


def user_mode():
    return int(gdb.parse_and_eval("$cs")) & 3 == 3


class User(gdb.Command):
    """mk-user: run until the current thread is back in user mode.

For a `step` that went into the kernel (a system call, or a page fault its
pager must serve first): stops at its next user instruction, unless a
breakpoint stops it first (one in its pager, say)."""

    def __init__(self):
        super().__init__("mk-user", gdb.COMMAND_RUNNING)

    def invoke(self, arg, from_tty):
        if user_mode():
            print("mk: already in user mode")
        elif back_to_user():
            announce(line_only=False)


class UserStep(gdb.Command):
    """mk-step / mk-next: step or next in a user program, through the kernel.

A line whose instruction faults (a page its pager has not mapped yet) or
makes a system call would stop in the kernel; these run on to the thread's
return to user mode (as mk-user) and finish the step there."""

    def __init__(self, name, step):
        super().__init__(name, gdb.COMMAND_RUNNING)
        self.step = step

    def invoke(self, arg, from_tty):
        if not user_mode():
            raise gdb.GdbError("not in user mode (use step / next in the kernel)")
        _, program = running()
        if program and program != focus:
            set_focus(program)     # (after mk-focus: the line table must be the program's)
        start = gdb.selected_frame()
        for _ in range(8):
            quietly(self.step + " " + arg)
            if user_mode():
                break
            if not back_to_user():
                return             # stopped elsewhere first; gdb said where
        announce(line_only=gdb.selected_frame() == start)


class Focus(gdb.Command):
    """mk-focus PROGRAM: resolve user addresses with PROGRAM's symbols."""

    def __init__(self):
        super().__init__("mk-focus", gdb.COMMAND_FILES)

    def invoke(self, arg, from_tty):
        set_focus(arg.strip())


for command in (Load, Break, Where, Threads, User, Focus):
    command()
UserStep("mk-step", "step")
UserStep("mk-next", "next")
gdb.events.stop.connect(on_stop)
