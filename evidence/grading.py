"""The rubric the partner's security headers are graded by, after Mozilla's HTTP Observatory.

Each header gets a verdict: a penalty (0 when it passes) and a note saying why. The score is
100 less the penalties (never below 0), and the letter follows the Observatory's bands.
Documented, with the reasons for each deviation from the Observatory, in docs/evidence.md.
"""

from __future__ import annotations

from dataclasses import dataclass

HEADERS = (
    "content-security-policy",
    "cross-origin-opener-policy",
    "cross-origin-resource-policy",
    "strict-transport-security",
    "x-content-type-options",
    "x-frame-options",
    "referrer-policy",
    "permissions-policy",
)
# What the plan's "Impossible to fake" section tells visitors they will see.
CLAIMS = {
    "content-security-policy": "a comprehensive policy",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}
BANDS = (
    (100, "A+"), (90, "A"), (85, "A-"), (80, "B+"), (70, "B"), (65, "B-"), (60, "C+"),
    (50, "C"), (45, "C-"), (40, "D+"), (30, "D"), (25, "D-"), (0, "F"),
)
HALF_A_YEAR = 15_768_000  # seconds: the Observatory's shortest HSTS max-age that passes
SAFE_REFERRER_POLICIES = {
    "no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin",
}


@dataclass(frozen=True)
class Verdict:
    penalty: int
    note: str

    @property
    def passes(self) -> bool:
        return self.penalty == 0


@dataclass(frozen=True)
class Grade:
    score: int
    letter: str
    verdicts: dict[str, Verdict]


def directives(policy: str) -> dict[str, list[str]]:
    """A CSP's directives and their sources; for several policies, the first of each name."""
    found: dict[str, list[str]] = {}
    for part in policy.replace(",", ";").split(";"):
        words = part.lower().split()
        if words and words[0] not in found:
            found[words[0]] = words[1:]
    return found


def grade_csp(value: str | None) -> Verdict:
    if not value:
        return Verdict(25, "missing: nothing restricts where scripts come from")
    policy = directives(value)
    scripts = policy.get("script-src", policy.get("default-src"))
    problems, penalty = [], 0
    if scripts is None:
        problems.append("no script-src or default-src")
        penalty += 25
    else:
        nonced = any(s.startswith(("'nonce-", "'sha256-", "'sha384-", "'sha512-")) for s in scripts)
        if "'unsafe-inline'" in scripts and not nonced:
            problems.append("scripts allow 'unsafe-inline'")
            penalty += 20
        if "'unsafe-eval'" in scripts:
            problems.append("scripts allow 'unsafe-eval'")
            penalty += 10
        if {"*", "http:", "https:", "data:"} & set(scripts):
            problems.append("scripts may come from any host or a data: URL")
            penalty += 20
    objects = policy.get("object-src", policy.get("default-src"))
    if objects != ["'none'"]:
        problems.append("object-src is not 'none'")
        penalty += 5
    if "frame-ancestors" not in policy:
        problems.append("no frame-ancestors")
        penalty += 5
    if problems:
        return Verdict(penalty, "; ".join(problems))
    return Verdict(0, "no unsafe script sources, object-src 'none', frame-ancestors set")


def grade_hsts(value: str | None) -> Verdict:
    if not value:
        return Verdict(20, "missing: browsers may be downgraded to plain HTTP")
    for part in value.split(";"):
        name, _, number = part.strip().partition("=")
        if name.lower() == "max-age":
            try:
                age = int(number.strip().strip('"'))
            except ValueError:
                break
            if age < HALF_A_YEAR:
                return Verdict(10, f"max-age {age} is under six months")
            return Verdict(0, f"max-age {age}")
    return Verdict(20, "no valid max-age")


def grade_framing(frame_options: str | None, csp: str | None) -> Verdict:
    if csp and "frame-ancestors" in directives(csp):
        return Verdict(0, "framing restricted by the CSP's frame-ancestors")
    if frame_options and frame_options.strip().upper() in ("DENY", "SAMEORIGIN"):
        return Verdict(0, f"framing restricted ({frame_options.strip().upper()})")
    if frame_options:
        return Verdict(20, "invalid value: framing is not restricted")
    return Verdict(20, "missing, and no frame-ancestors: other sites may frame the page")


def grade_exact(value: str | None, wanted: str, penalty: int, why: str) -> Verdict:
    if value and value.strip().lower() == wanted:
        return Verdict(0, "passes")
    return Verdict(penalty, f"{'missing' if not value else 'not ' + wanted}: {why}")


def grade_referrer(value: str | None) -> Verdict:
    if not value:
        return Verdict(0, "missing: browsers default to strict-origin-when-cross-origin")
    # Several values: browsers use the last one they understand.
    last = [v.strip().lower() for v in value.split(",") if v.strip()][-1]
    if last in SAFE_REFERRER_POLICIES:
        return Verdict(0, "passes")
    return Verdict(5, f"{last} may leak addresses to other sites")


def grade(headers: dict[str, str]) -> Grade:
    """Grade a response by its security headers (names lower-case)."""
    csp = headers.get("content-security-policy")
    verdicts = {
        "content-security-policy": grade_csp(csp),
        "cross-origin-opener-policy": grade_exact(
            headers.get("cross-origin-opener-policy"), "same-origin", 5,
            "other windows can keep a handle on the page"),
        "cross-origin-resource-policy": grade_exact(
            headers.get("cross-origin-resource-policy"), "same-origin", 5,
            "other sites may load the response"),
        "strict-transport-security": grade_hsts(headers.get("strict-transport-security")),
        "x-content-type-options": grade_exact(
            headers.get("x-content-type-options"), "nosniff", 5,
            "browsers may guess content types"),
        "x-frame-options": grade_framing(headers.get("x-frame-options"), csp),
        "referrer-policy": grade_referrer(headers.get("referrer-policy")),
        "permissions-policy": Verdict(
            0, "present" if headers.get("permissions-policy") else "missing (not scored)"
        ),
    }
    score = max(0, 100 - sum(v.penalty for v in verdicts.values()))
    letter = next(letter for floor, letter in BANDS if score >= floor)
    return Grade(score, letter, verdicts)


def claim_holds(header: str, value: str | None) -> bool:
    """Whether the plan's claim about `header` is true of `value`."""
    if header == "content-security-policy":
        return grade_csp(value).passes
    return bool(value) and value.strip().lower() == CLAIMS[header]
