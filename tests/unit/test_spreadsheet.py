"""CSV cells a spreadsheet would evaluate are written as text (shared.spreadsheet)."""

from __future__ import annotations

import csv
import io

import pytest

from shared.spreadsheet import csv_text, safe_cell


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+44 20", "'+44 20"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("\rCR", "'\rCR"),
        ("O'Neill", "O'Neill"),
        ("Anne-Marie", "Anne-Marie"),
        ("", ""),
        (None, ""),
        (-5, -5),
        (3, 3),
    ],
)
def test_formula_starts_are_neutralised_and_nothing_else(value, cell):
    assert safe_cell(value) == cell


def test_csv_text_reads_back_with_every_cell_safe():
    text = csv_text(["name", "=header"], [["=1+1", "Zoë"], [None, 2]])
    assert text.endswith("\r\n")
    assert list(csv.reader(io.StringIO(text))) == [
        ["name", "'=header"],
        ["'=1+1", "Zoë"],
        ["", "2"],
    ]
