"""Each security header parsed and graded by the rubric of docs/evidence.md."""

from __future__ import annotations

import pytest

from evidence.grading import claim_holds, grade
from tests.partner import STRONG_HEADERS

STRONG = {name.lower(): value for name, value in STRONG_HEADERS.items()}


def test_the_headers_the_plan_claims_grade_a_plus():
    graded = grade(STRONG)
    assert (graded.score, graded.letter) == (100, "A+")
    assert all(verdict.passes for verdict in graded.verdicts.values())


@pytest.mark.parametrize(("header", "value", "penalty"), [
    ("content-security-policy", None, 25),
    ("content-security-policy", "default-src 'self'; script-src 'self' 'unsafe-inline';"
     " object-src 'none'; frame-ancestors 'none'", 20),
    ("content-security-policy", "default-src 'self'; script-src 'self' 'unsafe-eval';"
     " object-src 'none'; frame-ancestors 'none'", 10),
    ("content-security-policy", "default-src 'self'; frame-ancestors 'none'", 5),  # object-src
    ("content-security-policy", "default-src 'self'; object-src 'none'", 5),  # frame-ancestors
    ("content-security-policy", "script-src * ; object-src 'none'; frame-ancestors 'none'", 20),
    ("content-security-policy", "script-src 'nonce-abc' 'unsafe-inline'; object-src 'none';"
     " frame-ancestors 'none'", 0),
    ("strict-transport-security", None, 20),
    ("strict-transport-security", "max-age=3600", 10),
    ("strict-transport-security", "includeSubDomains", 20),
    ("cross-origin-opener-policy", None, 5),
    ("cross-origin-opener-policy", "same-origin-allow-popups", 5),
    ("cross-origin-resource-policy", "cross-origin", 5),
    ("x-content-type-options", "sniff", 5),
    ("referrer-policy", "unsafe-url", 5),
    ("referrer-policy", None, 0),
    ("permissions-policy", None, 0),
])
def test_each_header_is_graded(header, value, penalty):
    headers = {**STRONG, header: value} if value is not None else {
        name: v for name, v in STRONG.items() if name != header
    }
    graded = grade(headers)
    assert graded.verdicts[header].penalty == penalty
    assert graded.score == 100 - penalty


def test_framing_passes_through_frame_ancestors_or_x_frame_options():
    no_xfo = {name: v for name, v in STRONG.items() if name != "x-frame-options"}
    assert grade(no_xfo).verdicts["x-frame-options"].passes
    neither = {**no_xfo, "content-security-policy": "default-src 'none'"}
    assert grade(neither).verdicts["x-frame-options"].penalty == 20


def test_the_letter_follows_the_observatory_bands():
    bare = grade({})
    assert bare.score == 100 - 25 - 20 - 20 - 5 - 5 - 5
    assert bare.letter == "F"
    assert grade({**STRONG, "x-content-type-options": "no"}).letter == "A"


@pytest.mark.parametrize(("header", "value", "holds"), [
    ("cross-origin-opener-policy", "same-origin", True),
    ("cross-origin-opener-policy", "Same-Origin ", True),
    ("cross-origin-opener-policy", "unsafe-none", False),
    ("cross-origin-resource-policy", None, False),
    ("content-security-policy", STRONG["content-security-policy"], True),
    ("content-security-policy", "script-src 'unsafe-inline'", False),
])
def test_the_plans_claims_are_checked(header, value, holds):
    assert claim_holds(header, value) is holds
