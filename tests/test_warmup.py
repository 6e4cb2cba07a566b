"""The setup-time warm-up must exercise the real decoder path, or the first user command compiles again."""

from datetime import UTC, datetime
from pathlib import Path

from sanctionwatch.ais.ingest import ingest
from sanctionwatch.store.layout import Store
from sanctionwatch.warmup import compile_kernels, kernels_cached, sample_lines


def test_sample_lines_all_decode(tmp_path: Path) -> None:
    src = tmp_path / "w.nmea"
    src.write_text(sample_lines())
    rep = ingest(Store(tmp_path / "st"), [str(src)], assume_time=datetime(2023, 11, 14, tzinfo=UTC))[0]
    assert rep["rejected"] == {}
    assert (rep["positions"], rep["vessel_reports"]) == (2, 1)


def test_compile_leaves_every_kernel_cached() -> None:
    compile_kernels()
    assert kernels_cached()
