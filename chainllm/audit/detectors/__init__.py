"""chainllm's own Slither detectors, for the bug classes Slither's built-ins miss.

Each detector is one class in its own module (Slither's detector API on SlithIR) and carries
``SWC``, ``CWE`` and ``BUG_CLASS``. ``OWN_DETECTORS`` is what the audit registers next to
Slither's; ``version()`` changes whenever any detector's source does (audit cache key).
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import Any


@functools.lru_cache(maxsize=1)
def own_detectors() -> tuple[Any, ...]:
    from chainllm.audit.detectors.approve_race import ApproveRace
    from chainllm.audit.detectors.block_randomness import BlockRandomness
    from chainllm.audit.detectors.ecrecover_zero import EcrecoverZero
    from chainllm.audit.detectors.integer_overflow import IntegerOverflow
    from chainllm.audit.detectors.push_payment import PushPayment
    from chainllm.audit.detectors.short_address import ShortAddress
    from chainllm.audit.detectors.signature_replay import SignatureReplay
    from chainllm.audit.detectors.tod_secret import SecretRace
    from chainllm.audit.detectors.tod_state_value import StateValueRace
    from chainllm.audit.detectors.unbounded_loop import UnboundedLoop
    from chainllm.audit.detectors.unprotected_sensitive import UnprotectedSensitive

    return (
        IntegerOverflow,
        ApproveRace,
        StateValueRace,
        SecretRace,
        BlockRandomness,
        UnprotectedSensitive,
        UnboundedLoop,
        PushPayment,
        ShortAddress,
        SignatureReplay,
        EcrecoverZero,
    )


def own_arguments() -> frozenset[str]:
    return frozenset(d.ARGUMENT for d in own_detectors())


@functools.lru_cache(maxsize=1)
def version() -> str:
    """Hash of this package's sources: cached audits are redone when a detector changes."""
    h = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]
