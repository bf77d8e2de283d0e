#!/usr/bin/python3
"""Runs a command the way systemd's RestrictAddressFamilies= runs a service:
socket() and socketpair() with an address family not in the list fail with
EAFNOSUPPORT (systemd's seccomp filter, src/shared/seccomp-util.c,
seccomp_restrict_address_families). Uses libseccomp (Debian's python3-seccomp).

  restrict-families.py AF_INET,AF_INET6,AF_UNIX -- node bin.js run
"""
import errno
import os
import socket
import sys

import seccomp

# Linux's AF_MAX is 46 (include/linux/socket.h); every family below it that
# is not allowed gets its own rule, and anything above it is refused too.
AF_MAX = 46


def main() -> None:
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.exit("usage: restrict-families.py AF_INET,AF_INET6,... -- command [args]")
    allowed = {getattr(socket, name) for name in sys.argv[1].split(",") if name}
    refuse = seccomp.ERRNO(errno.EAFNOSUPPORT)
    sandbox = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
    for call in ("socket", "socketpair"):
        for family in range(AF_MAX):
            if family not in allowed:
                sandbox.add_rule(refuse, call, seccomp.Arg(0, seccomp.EQ, family))
        sandbox.add_rule(refuse, call, seccomp.Arg(0, seccomp.GE, AF_MAX))
    sandbox.load()
    os.execvp(sys.argv[3], sys.argv[3:])


main()
