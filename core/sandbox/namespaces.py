"""Network isolation for one job child: a fresh, empty network namespace (only a down loopback).

Root may create a network namespace directly; other users first need a user namespace of their
own (``CLONE_NEWUSER | CLONE_NEWNET``). Where the kernel refuses both (containers without the
capability, ``kernel.unprivileged_userns_clone=0``), the job still runs: sockets are then refused by
the audit hook and the static policy, and TCP by Landlock where available.
"""

from __future__ import annotations

import os

from core.sandbox import syscalls


def isolate_network() -> str:
    """Enter a new network namespace; returns ``"netns"``, ``"userns+netns"`` or why it failed."""
    attempts = [(syscalls.CLONE_NEWNET, "netns")] if os.geteuid() == 0 else []
    attempts.append((syscalls.CLONE_NEWUSER | syscalls.CLONE_NEWNET, "userns+netns"))
    errors = []
    for flags, label in attempts:
        try:
            syscalls.unshare(flags)
        except OSError as exc:
            errors.append(f"{label}: {exc.strerror}")
            continue
        return label
    return "unavailable (" + "; ".join(errors) + ")"
