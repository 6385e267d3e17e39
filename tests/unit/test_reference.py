import csv
from pathlib import Path

import pytest

from shared.reference import load_establishments

SOURCE = Path(__file__).resolve().parents[3] / "shared" / "data" / "establishments.csv"
PACKAGED = Path(__file__).resolve().parents[2] / "shared/src/shared/data/establishments.csv"
# Columns this project adds to the reference data; every other column is the original's.
ADDED = {"children_held"}


def rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.read_text("utf-8").splitlines()))


def test_packaged_establishments_load_with_flags():
    establishments = load_establishments()
    assert len(establishments) >= 100
    assert establishments["WWI"].name.startswith("Wandsworth")
    assert any(e.high_security for e in establishments.values())
    assert any(e.womens_estate for e in establishments.values())


def test_only_the_boys_young_offender_institutions_hold_children():
    establishments = load_establishments()
    held = {code for code, e in establishments.items() if e.children_held}
    assert held == {"FMI", "WNI", "WYI"}
    assert [establishments[c].name.split(" (")[0] for c in sorted(held)] == [
        "Feltham",
        "Werrington",
        "Wetherby",
    ]
    # An 18-21 "YOI" is not a children's establishment.
    assert "YOI" in establishments["WWI"].name and not establishments["WWI"].children_held


def test_a_file_without_the_added_column_holds_no_children(tmp_path: Path):
    original = tmp_path / "establishments.csv"
    original.write_text(
        "code,name,nation,high_security,womens_estate\nWYI,Wetherby,England,false,false\n"
    )
    assert load_establishments(original)["WYI"].children_held is False


def test_packaged_copy_matches_the_reference_data_in_every_shared_column():
    if not SOURCE.exists():
        pytest.skip(f"reference data not beside the repo ({SOURCE})")
    source, packaged = rows(SOURCE), rows(PACKAGED)
    assert set(packaged[0]) - set(source[0]) == ADDED, "only the added columns may be new"
    shared = list(source[0])
    assert [[r[c] for c in shared] for r in packaged] == [[r[c] for c in shared] for r in source], (
        "re-copy ../shared/data/establishments.csv and keep the added columns"
    )
