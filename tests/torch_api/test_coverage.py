"""The coverage table of docs/porting.md shows the current figures (regenerate it with
`python tests/torch_api/torch_coverage.py --write`)."""

from torch_coverage import END, PAGE, START, table


def test_the_porting_page_shows_the_current_coverage() -> None:
    text = PAGE.read_text()
    shown = text[text.index(START) + len(START):text.index(END)].strip()
    assert shown == table(), "the API changed: run `hatch run python tests/torch_api/torch_coverage.py --write`"
