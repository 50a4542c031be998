"""Citations as BibTeX, with LaTeX's special characters escaped."""

from __future__ import annotations

LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "#": r"\#",
    "$": r"\$",
    "%": r"\%",
    "&": r"\&",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def escape_latex(text: str) -> str:
    return "".join(LATEX_SPECIALS.get(char, char) for char in text)


def entry(citation) -> str:
    """One @kind{key, …} entry; URLs and DOIs stay verbatim, as BibTeX styles expect."""
    venue_field = {
        "article": "journal",
        "inproceedings": "booktitle",
        "book": "publisher",
        "techreport": "institution",
        "phdthesis": "school",
    }.get(citation.kind, "howpublished")
    fields = [
        ("author", escape_latex(citation.authors)),
        ("title", escape_latex(citation.title)),
        (venue_field, escape_latex(citation.venue)),
        ("year", str(citation.year)),
        ("doi", citation.doi),
        ("url", citation.url),
        ("note", escape_latex(citation.note)),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    return f"@{citation.kind}{{{citation.key},\n{body}\n}}\n"


def bibliography(citations) -> str:
    return "\n".join(entry(citation) for citation in citations)
