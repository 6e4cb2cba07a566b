"""Compile the numba kernels once, ahead of the first real command.

The NMEA decoder kernel takes about a minute of CPU to compile on first use (numba caches the machine code
next to the module afterwards). `scripts/setup.sh` runs this after installing, so a user's first `ingest` or
`demo` and the test suite start from a warm cache; a plain `pip install` user pays it on first use instead,
and the CLI says so (`kernels_cached`).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

# A type 1 position (with a tag-block time) and a two-part type 5 static report, framed with valid checksums:
# one accepted line per message kind makes the decoder compile the kernels every real file uses.
_SENTENCES = (
    ("AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0", "s:warmup,c:1700000000"),
    ("AIVDM,2,1,3,B,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0", ""),
    ("AIVDM,2,2,3,B,88888888880,2", ""),
    ("AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0", "s:warmup,c:1700000600"),
)


def _checksum(body: str) -> str:
    x = 0
    for ch in body.encode():
        x ^= ch
    return f"{x:02X}"


def sample_lines() -> str:
    """The warm-up input as NMEA text (checksums computed, so every line is accepted)."""
    out = []
    for body, tag in _SENTENCES:
        prefix = f"\\{tag}*{_checksum(tag)}\\" if tag else ""
        out.append(f"{prefix}!{body}*{_checksum(body)}")
    return "\n".join(out) + "\n"


def _kernel_dispatchers() -> list:
    from sanctionwatch.ais import _nmea_kernel
    from sanctionwatch.detect import tracks

    return [_nmea_kernel.decode_chunk, tracks.segment_kernel]


def kernels_cached() -> bool:
    """True when numba's on-disk cache holds every hot kernel (so the next command compiles nothing)."""
    try:
        return all(Path(d._cache._cache_file._index_path).exists() for d in _kernel_dispatchers())
    except Exception:  # numba internals moved: assume cached rather than print a wrong warning
        return True


FIRST_RUN_NOTE = "first run: compiling the AIS decoder and track kernels (once; about a minute of CPU)"


def compile_kernels() -> float:
    """Decode the sample and build its tracks, which compiles (or loads) every hot kernel; returns seconds."""
    from datetime import UTC, datetime

    from sanctionwatch.ais.ingest import ingest
    from sanctionwatch.engines import embedded
    from sanctionwatch.store.layout import Store

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="sanctionwatch-warmup-") as tmp:
        src = Path(tmp) / "warmup.nmea"
        src.write_text(sample_lines())
        store = Store(Path(tmp) / "store")
        ingest(store, [str(src)], assume_time=datetime(2023, 11, 14, tzinfo=UTC))
        positions, reports = embedded.load(store)
        embedded.detect(positions, reports, threads=1)
    return time.perf_counter() - t0


if __name__ == "__main__":
    was_cached = kernels_cached()
    seconds = compile_kernels()
    state = "already compiled" if was_cached else "compiled"
    print(f"sanctionwatch: numba kernels {state} ({seconds:.1f} s)")
