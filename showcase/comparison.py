"""The comparison table: frameworks as columns, criteria as rows, three queries in all."""

from __future__ import annotations

from dataclasses import dataclass

from .models import ComparisonCell, Criterion, Framework


@dataclass(frozen=True)
class Row:
    criterion: Criterion
    cells: list[ComparisonCell | None]


@dataclass(frozen=True)
class Table:
    frameworks: list[Framework]
    rows: list[Row]


def comparison_table(preview: bool = False) -> Table:
    """Every visible criterion against every visible framework; a missing cell is None."""
    frameworks = list(Framework.objects.visible(preview))
    criteria = list(Criterion.objects.visible(preview))
    cells = {
        (cell.criterion_id, cell.framework_id): cell
        for cell in ComparisonCell.objects.filter(criterion__in=criteria, framework__in=frameworks)
    }
    rows = [
        Row(criterion, [cells.get((criterion.pk, framework.pk)) for framework in frameworks])
        for criterion in criteria
    ]
    return Table(frameworks, rows)
