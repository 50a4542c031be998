"""The chart geometry: honest axes from zero, gaps for missing values, nothing divided by zero."""

from __future__ import annotations

from metrics.charts import (
    NO_DATA,
    bar_chart,
    count_scale,
    format_tick,
    histogram,
    line_chart,
    ranking_chart,
    strip,
)

DAYS = ["18 Nov", "19 Nov", "20 Nov", "21 Nov"]


def line(*series, labels=DAYS):
    return line_chart("c", "Calls", labels, series, y_title="Operations", x_title="Day")


def test_a_count_axis_starts_at_zero_and_ends_on_a_round_number():
    assert count_scale(2847).top == 3000
    assert count_scale(2847).ticks == (0, 1000, 2000, 3000)
    assert count_scale(7).ticks == (0, 2, 4, 6, 8)
    assert count_scale(1).ticks == (0, 1)


def test_an_all_zero_axis_still_shows_zero_and_divides_by_nothing():
    scale = count_scale(0)
    assert scale.ticks == (0,)
    assert scale.fraction(0) == 0.0


def test_axis_labels_stay_short():
    assert [format_tick(v) for v in (0, 950, 2500, 3000, 1_500_000)] == [
        "0",
        "950",
        "2.5k",
        "3k",
        "1.5M",
    ]


def test_a_missing_day_splits_the_line_instead_of_dropping_to_zero():
    chart = line(("BoundaryEnforcer", [10, 20, None, 40]))
    (only,) = chart.lines
    assert len(only.segments) == 2
    assert len(only.segments[0].split()) == 2 and len(only.segments[1].split()) == 1
    # The third day has no mark at all, and the table says so rather than 0.
    assert [len(column.marks) for column in chart.columns] == [1, 1, 0, 1]
    assert chart.table.rows[0].cells == ("10", "20", NO_DATA, "40")
    assert "1 missing value is left as gaps" in chart.desc


def test_higher_values_are_drawn_higher_and_the_top_tick_is_the_scale_top():
    chart = line(("A", [0, 50, 100, 25]))
    ys = [column.marks[0].y for column in chart.columns]
    assert ys[0] == chart.box.bottom
    assert ys[2] < ys[1] < ys[3] < ys[0]
    assert chart.y_ticks[-1].label == "100" and chart.y_ticks[-1].position == chart.box.top


def test_a_single_day_is_one_visible_dot_in_the_middle():
    chart = line(("A", [7]), labels=["24 Nov"])
    (column,) = chart.columns
    assert column.x == chart.box.center
    assert [mark.text for mark in column.marks] == ["7"]
    assert chart.x_ticks[0].label == "24 Nov"


def test_an_all_zero_service_lies_flat_on_the_zero_line():
    chart = line(("Quiet", [0, 0, 0, 0]))
    assert {mark.y for column in chart.columns for mark in column.marks} == {chart.box.bottom}
    assert [tick.label for tick in chart.y_ticks] == ["0"]


def test_no_series_is_an_empty_chart_not_a_broken_one():
    chart = line()
    assert chart.empty
    assert chart.table.rows == ()


def test_crowded_day_labels_are_thinned_from_the_most_recent_back():
    labels = [f"{d} Nov" for d in range(1, 15)]
    chart = line(("A", list(range(14))), labels=labels)
    shown = [tick.label for tick in chart.x_ticks]
    assert shown[-1] == "14 Nov"
    assert len(shown) < len(labels)


def test_a_bar_chart_leaves_a_missing_day_empty_and_says_so():
    chart = bar_chart(
        "b",
        "Blocked",
        [("18 Nov", 4), ("19 Nov", None), ("20 Nov", 0)],
        y_title="Blocked",
        x_title="Day",
    )
    assert [bar.height > 0 for bar in chart.bars] == [True, False, False]
    assert [bar.text for bar in chart.bars] == ["4", NO_DATA, "0"]
    assert chart.values_shown


def test_histogram_bars_are_as_wide_as_their_ranges():
    chart = histogram(
        "h",
        "Pressure",
        [(0, 50, 10), (50, 75, 5), (75, 100, 0)],
        y_title="Sessions",
        x_title="Pressure",
        unit="%",
    )
    widths = [bar.width + 2 for bar in chart.bars]  # the gap between bars is 2
    assert abs(widths[0] - 2 * widths[1]) < 0.5
    assert [t.label for t in chart.x_ticks] == ["0%", "50%", "75%", "100%"]
    assert [row.label for row in chart.table.rows] == ["0–50%", "50–75%", "75–100%"]


def test_many_narrow_bins_keep_their_values_for_hover_and_focus():
    bins = [(i * 5, i * 5 + 5, 12345) for i in range(20)]
    chart = histogram("h", "Pressure", bins, y_title="Sessions", x_title="Pressure")
    assert not chart.values_shown


def test_a_ranking_shortens_long_labels_but_keeps_them_whole_in_titles_and_table():
    label = "A rule whose label is far too long to fit on one line of a phone screen at all"
    chart = ranking_chart(
        "r", "Rules", [(label, 10), ("Short", 5), ("None", 0)], value_title="Blocks"
    )
    assert chart.ranks[0].label.endswith("…") and len(chart.ranks[0].label) <= 48
    assert chart.ranks[0].title == f"{label}: 10"
    assert chart.table.rows[0].label == label
    assert chart.ranks[1].width == chart.ranks[0].width / 2
    assert chart.ranks[2].width == 0


def test_a_ranking_of_zeros_draws_no_bars_and_divides_by_nothing():
    chart = ranking_chart("r", "Rules", [("A", 0), ("B", 0)], value_title="Blocks")
    assert [rank.width for rank in chart.ranks] == [0, 0]


def test_a_strip_has_one_cell_per_day_in_order():
    cells = strip("s", "History", "", [("ok", "1 Nov"), ("missing", "2 Nov"), ("bypass", "3 Nov")])
    assert [cell.state for cell in cells.cells] == ["ok", "missing", "bypass"]
    assert [cell.x for cell in cells.cells] == sorted(cell.x for cell in cells.cells)
