"""The site's one CSV writer: every cell safe to open in a spreadsheet.

A text cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to
Excel, LibreOffice and Google Sheets, so it gets a leading `'` and is shown as text (OWASP,
"CSV Injection"). Numbers are written as numbers, so the sheet can still add them up. The
JSON endpoints and the snapshots' bytes keep the original text: only CSV is neutralised.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPE = "text/csv; charset=utf-8"


def safe_cell(value: object) -> object:
    """A cell as a spreadsheet should read it: a number as a number, anything else as text."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class SafeWriter:
    """csv.writer with every cell passed through `safe_cell`."""

    def __init__(self, file):
        self.writer = csv.writer(file)

    def writerow(self, row: Iterable[object]):
        return self.writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


class _Lines:
    """A file-like object whose write() hands back the line, so rows can be streamed."""

    def write(self, line: str) -> str:
        return line


def lines(rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """Each row as one line of CSV text, written as it is read."""
    writer = SafeWriter(_Lines())
    return (writer.writerow(row) for row in rows)


def attachment(rows: Iterable[Iterable[object]], filename: str, *, stream: bool = False):
    """A CSV download named `filename`; streamed when the rows may be too many to hold."""
    if stream:
        response = StreamingHttpResponse(lines(rows), content_type=CONTENT_TYPE)
    else:
        response = HttpResponse("".join(lines(rows)), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
