"""Every released solc version (npm's ``solc`` package ships each one as solcjs).

A fixed list, so choosing which compiler a pragma needs never asks the network; a version
newer than the list is still installable by name (``chainllm toolchain add-solc``).
"""

from __future__ import annotations

from chainllm.toolchain.pragma import Version

_LAST_PATCH = {(0, 4): 26, (0, 5): 17, (0, 6): 12, (0, 7): 6, (0, 8): 30}
# solcjs before 0.4.11 has no standard-JSON interface, which audits need.
_FIRST_PATCH = {(0, 4): 11}

RELEASES: tuple[Version, ...] = tuple(
    (major, minor, patch)
    for (major, minor), last in sorted(_LAST_PATCH.items())
    for patch in range(_FIRST_PATCH.get((major, minor), 0), last + 1)
)
