from pathlib import Path

import pytest

from shared.reference import load_establishments

SOURCE = Path(__file__).resolve().parents[3] / "shared" / "data" / "establishments.csv"


def test_packaged_establishments_load_with_flags():
    establishments = load_establishments()
    assert len(establishments) >= 100
    assert establishments["WWI"].name.startswith("Wandsworth")
    assert any(e.high_security for e in establishments.values())
    assert any(e.womens_estate for e in establishments.values())


def test_packaged_copy_matches_the_reference_data():
    if not SOURCE.exists():
        pytest.skip(f"reference data not beside the repo ({SOURCE})")
    packaged = Path(__file__).resolve().parents[2] / "shared/src/shared/data/establishments.csv"
    assert packaged.read_bytes() == SOURCE.read_bytes(), "re-copy ../shared/data/establishments.csv"
