"""Everything a visitor reads, as editors manage it in the admin."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from simple_history.models import HistoricalRecords

from metrics.figures import Figures, Measure, figure_id, format_count, format_percent
from metrics.models import WINDOW_CHOICES, FrameworkService

from .highlighting import LANGUAGES, highlight
from .markdown import render_markdown, validate_length
from .uploads import validate_captions, validate_poster, validate_video

# Paths the site itself answers: no editor page may take them.
RESERVED_SLUGS = frozenset(
    {"admin", "api", "static", "media", "healthz", "sitemap.xml", "robots.txt", "favicon.ico",
     "reports", "audit", "out", "home", "evidence", "internal"}
)


class Published(models.QuerySet):
    def visible(self, preview: bool = False):
        """Published rows, or every row for a staff preview."""
        return self if preview else self.filter(published=True)

    def on_air(self, now: datetime):
        """Of scheduled rows, those whose time has come and not yet gone."""
        return self.filter(
            Q(go_live_at__isnull=True) | Q(go_live_at__lte=now),
            Q(expire_at__isnull=True) | Q(expire_at__gt=now),
        )


class Orderable(models.Model):
    order = models.PositiveIntegerField(default=0, help_text="Lower numbers come first.")
    published = models.BooleanField(default=True, help_text="Untick to keep it as a draft.")

    objects = Published.as_manager()

    class Meta:
        abstract = True
        ordering = ["order", "id"]


# A go-live this close hides a live row only briefly: saving it asks nothing.
HIDING_GRACE = timedelta(hours=1)


class Scheduled(models.Model):
    """Optional times a row goes live and expires.

    Whether it shows is decided each time it is read, so no job has to run at those times;
    the page cache keeps no page past its next scheduled change.
    """

    go_live_at = models.DateTimeField(
        "go live at", null=True, blank=True, help_text="UTC. Empty: as soon as it is published."
    )
    expire_at = models.DateTimeField(
        "expire at", null=True, blank=True, help_text="UTC. Empty: it does not expire."
    )

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.go_live_at and self.expire_at and self.expire_at <= self.go_live_at:
            raise ValidationError({"expire_at": "It must expire after it goes live."})

    def shows_at(self, now: datetime) -> bool:
        return (self.go_live_at is None or self.go_live_at <= now) and (
            self.expire_at is None or now < self.expire_at
        )

    def changes_after(self, now: datetime) -> list[datetime]:
        """Its scheduled times still to come."""
        return [t for t in (self.go_live_at, self.expire_at) if t is not None and t > now]

    def status(self, now: datetime | None = None) -> str:
        """What visitors see of it now, as staff read it in lists, forms and previews."""
        now = now or timezone.now()
        if not self.published:
            return "Draft"
        if self.go_live_at and now < self.go_live_at:
            return f"Scheduled (goes live {utc_text(self.go_live_at)})"
        if self.expire_at and self.expire_at <= now:
            return f"Expired (since {utc_text(self.expire_at)})"
        return f"Live (until {utc_text(self.expire_at)})" if self.expire_at else "Live"

    def hidden_from_now(self, now: datetime) -> str:
        """What visitors lose at once if it is saved as it stands ("" when they lose nothing
        worth asking about).

        An expiry already past takes a live row off the site now; so does a go-live to come,
        worth asking about when it is more than HIDING_GRACE away.
        """
        if not self.published or self.shows_at(now):
            return ""
        if self.expire_at and self.expire_at <= now:
            return "from now on: its expiry is already past"
        if self.go_live_at - now <= HIDING_GRACE:
            return ""
        return f"from now until {utc_text(self.go_live_at)}, when it goes live again"


def utc_text(moment: datetime) -> str:
    """A time as the admin shows and takes it: YYYY-MM-DD HH:MM UTC."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


class SiteSettings(models.Model):
    """Copy shown on every page; there is exactly one row."""

    site_name = models.CharField(max_length=60, default="Tractatus")
    banner_label = models.CharField(max_length=60, help_text='e.g. "Live in Production"')
    banner_text = models.CharField(max_length=300)
    banner_link_label = models.CharField(max_length=60, blank=True)
    banner_link_url = models.CharField(max_length=300, blank=True)
    badge_text = models.CharField(
        max_length=80, help_text='The hero badge, e.g. "Live on MySovereignty.digital".'
    )
    footer_text = models.TextField(help_text="Markdown.", validators=[validate_length])
    footer_html = models.TextField(editable=False, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "site settings"

    def __str__(self):
        return "Site settings"

    def save(self, *args, **kwargs):
        self.pk = 1
        self.footer_html = render_markdown(self.footer_text)
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> SiteSettings:
        return cls.objects.filter(pk=1).first() or cls()


class NavLink(Orderable):
    class Placement(models.TextChoices):
        BOTH = "both", "Desktop and mobile"
        DESKTOP = "desktop", "Desktop only"
        MOBILE = "mobile", "Mobile menu only"

    label = models.CharField(max_length=60)
    url = models.CharField(max_length=300, help_text="A path on this site (/about/) or a URL.")
    placement = models.CharField(max_length=8, choices=Placement.choices, default="both")
    live = models.BooleanField(
        "live indicator", default=False, help_text="Show the pulsing live dot (green)."
    )
    history = HistoricalRecords()

    class Meta(Orderable.Meta):
        verbose_name = "navigation link"

    def __str__(self):
        return self.label

    @property
    def on_desktop(self) -> bool:
        return self.placement != self.Placement.MOBILE

    @property
    def on_mobile(self) -> bool:
        return self.placement != self.Placement.DESKTOP


class Page(Scheduled):
    """A page at /<slug>/ (the home page has an empty slug) made of ordered sections."""

    title = models.CharField(max_length=120)
    slug = models.SlugField(
        max_length=80, unique=True, blank=True, help_text="Empty for the home page."
    )
    meta_description = models.CharField(max_length=300)
    intro = models.TextField("introduction", blank=True, help_text="Markdown.",
                             validators=[validate_length])
    intro_html = models.TextField(editable=False, blank=True)
    show_badge = models.BooleanField(
        "show the live badge", default=False, help_text="Shows the site's badge in the hero."
    )
    published = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = Published.as_manager()

    class Meta:
        ordering = ["slug"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.render_html()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        if not self.slug:
            return reverse("showcase:home")
        return reverse("showcase:page", args=[self.slug])

    def clean(self):
        super().clean()
        if self.slug in RESERVED_SLUGS:
            raise ValidationError({"slug": f'"{self.slug}" is used by the site itself.'})

    def unpublish(self):
        """Take the page off the site (visitors get a 404) and keep it as a draft."""
        self.published = False
        self.save(update_fields=["published", "updated_at"])

    def render_html(self):
        """The Markdown as visitors read it: on save, and for an editor's unsaved preview."""
        self.intro_html = render_markdown(self.intro)


class Section(Orderable, Scheduled):
    """One block of a page; its kind picks the template and the data it shows."""

    class Kind(models.TextChoices):
        TEXT = "text", "Text (Markdown)"
        METRIC_CARDS = "metric_cards", "Metric cards"
        HIGHLIGHTS = "highlights", "Highlights list"
        SERVICES = "services", "Services table"
        EXAMPLES = "examples", "Enforcement examples"
        EVIDENCE = "evidence", "Evidence steps"
        DASHBOARD = "dashboard", "Metrics dashboard"
        DECISIONS = "decisions", "Recent enforcement decisions"
        COMPARISON = "comparison", "Comparison table"
        CITATIONS = "citations", "Citations"
        VIDEO = "video", "Video demo"

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="sections")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.TEXT)
    heading = models.CharField(max_length=160, blank=True)
    subheading = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True, help_text="Markdown.", validators=[validate_length])
    body_html = models.TextField(editable=False, blank=True)
    secondary_heading = models.CharField(
        max_length=160, blank=True, help_text='A second heading, e.g. "Why This Matters".'
    )
    history = HistoricalRecords()

    def __str__(self):
        return f"{self.page} — {self.heading or self.get_kind_display()}"

    def save(self, *args, **kwargs):
        self.render_html()
        super().save(*args, **kwargs)

    def render_html(self):
        """The Markdown as visitors read it: on save, and for an editor's unsaved preview."""
        self.body_html = render_markdown(self.body)

    @property
    def template_name(self) -> str:
        return f"sections/{self.kind}.html"


class Highlight(Orderable):
    """A labelled figure in a section: bound to the feed, fixed by an editor, or text only."""

    class Source(models.TextChoices):
        FIXED = "fixed", "Fixed figure (typed by an editor)"
        SERVICE_OPERATIONS = "service_operations", "Feed: a service's operations"
        SERVICE_BLOCKED = "service_blocked", "Feed: a service's blocked count"
        TENANT_ISOLATION = "tenant_isolation", "Feed: tenant-isolation verifications"
        UPTIME = "uptime_percent", "Feed: enforcement uptime percent"
        BYPASSES = "bypasses", "Feed: bypasses"
        NONE = "none", "No figure (text only)"

    NEEDS_SERVICE = {Source.SERVICE_OPERATIONS, Source.SERVICE_BLOCKED}
    NEEDS_WINDOW = NEEDS_SERVICE | {Source.TENANT_ISOLATION}

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="highlights")
    label = models.CharField(max_length=100)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.FIXED)
    service = models.ForeignKey(
        FrameworkService, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    window = models.CharField(max_length=3, choices=WINDOW_CHOICES, blank=True)
    fixed_value = models.CharField(max_length=30, blank=True)
    suffix = models.CharField(max_length=10, blank=True, help_text='e.g. "%"')
    detail = models.CharField(max_length=200, blank=True, help_text="First line under it.")
    since_deployment = models.BooleanField(
        "counted since deployment",
        default=False,
        help_text="Follow the first line with the month the feed says enforcement began, "
        'e.g. "(October 2024)". Never type that date: it comes from the feed.',
    )
    note = models.CharField(max_length=200, blank=True, help_text="Second line under it.")
    history = HistoricalRecords()

    def __str__(self):
        return self.label

    def clean(self):
        errors = {}
        if self.source in self.NEEDS_SERVICE and not self.service_id:
            errors["service"] = "Choose the service whose figure this shows."
        if self.source in self.NEEDS_WINDOW and not self.window:
            errors["window"] = "Choose the window (24h, 7d or 30d) of the figure."
        if self.source == self.Source.FIXED and not self.fixed_value:
            errors["fixed_value"] = "Type the figure, or bind it to the feed instead."
        if self.source != self.Source.FIXED and self.fixed_value:
            errors["fixed_value"] = "Only a fixed figure takes a typed value."
        if errors:
            raise ValidationError(errors)

    @property
    def is_live(self) -> bool:
        return self.source not in (self.Source.FIXED, self.Source.NONE)

    @property
    def figure_id(self) -> str:
        """The id its live value carries in the page and in /api/metrics/figures.json."""
        measure = {
            self.Source.SERVICE_OPERATIONS: Measure.OPERATIONS,
            self.Source.SERVICE_BLOCKED: Measure.BLOCKED,
            self.Source.TENANT_ISOLATION: Measure.TENANT_ISOLATION,
            self.Source.UPTIME: Measure.UPTIME,
            self.Source.BYPASSES: Measure.BYPASSES,
        }.get(self.source)
        if measure is None:
            return ""
        window = self.window if self.source in self.NEEDS_WINDOW else ""
        key = self.service.feed_key if self.source in self.NEEDS_SERVICE and self.service else ""
        return figure_id(measure, window, key)

    def value(self, figures: Figures) -> str | None:
        """The figure as shown, "" for text only, None while the feed has no such figure."""
        source = self.source
        if source == self.Source.NONE:
            return ""
        if source == self.Source.FIXED:
            return self.fixed_value
        if not figures.exists:
            return None
        if source == self.Source.UPTIME:
            return format_percent(figures.uptime_percent)
        if source == self.Source.BYPASSES:
            return format_count(figures.bypasses)
        if source == self.Source.TENANT_ISOLATION:
            return format_count(figures.tenant_isolation[self.window])
        service = self.service and figures.service(self.service.feed_key)
        if service is None:
            return None
        tally = service.windows[self.window]
        count = tally.operations if source == self.Source.SERVICE_OPERATIONS else tally.blocked
        return format_count(count)

    def detail_text(self, figures: Figures) -> str:
        """The first line under it, ending with the feed's deployment month when it asks to."""
        if not (self.since_deployment and figures.deployed_since):
            return self.detail
        month = date_format(figures.deployed_since, "F Y")
        return f"{self.detail} ({month})" if self.detail else month


class EnforcementExample(Orderable):
    title = models.CharField(max_length=120)
    language = models.CharField(max_length=30, choices=LANGUAGES, default="javascript")
    code = models.TextField()
    code_html = models.TextField(editable=False, blank=True)
    caption = models.TextField(blank=True)
    history = HistoricalRecords()

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.code_html = highlight(self.code, self.language)
        super().save(*args, **kwargs)


class EvidenceItem(Orderable):
    """A step of "view the evidence yourself", or a "why this matters" line."""

    class Kind(models.TextChoices):
        STEP = "step", "Evidence step"
        WHY = "why", "Why this matters"

    kind = models.CharField(max_length=4, choices=Kind.choices, default=Kind.STEP)
    text = models.TextField(help_text="Markdown; `code` in backticks.",
                            validators=[validate_length])
    text_html = models.TextField(editable=False, blank=True)
    history = HistoricalRecords()

    class Meta(Orderable.Meta):
        ordering = ["kind", "order", "id"]

    def __str__(self):
        return self.text[:60]

    def save(self, *args, **kwargs):
        self.text_html = render_markdown(self.text)
        super().save(*args, **kwargs)


no_braces = RegexValidator(r"^[^{}\s]*$", "Braces and spaces are not allowed here.")


class Framework(Orderable):
    """A column of the comparison table."""

    name = models.CharField(max_length=80)
    is_tractatus = models.BooleanField(
        "this is Tractatus", default=False, help_text="Emphasises the column."
    )
    history = HistoricalRecords()

    def __str__(self):
        return self.name


class Criterion(Orderable):
    """A row of the comparison table."""

    label = models.CharField(max_length=160)
    explanation = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta(Orderable.Meta):
        verbose_name_plural = "criteria"

    def __str__(self):
        return self.label


class ComparisonCell(models.Model):
    class Value(models.TextChoices):
        YES = "yes", "Yes"
        PARTIAL = "partial", "Partial"
        NO = "no", "No"
        TEXT = "text", "Text"

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="cells")
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="cells")
    value = models.CharField(max_length=7, choices=Value.choices)
    text = models.CharField(max_length=120, blank=True, help_text="Shown when the value is Text.")
    note = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["criterion", "framework"], name="one_cell_per_pair")
        ]

    def __str__(self):
        return f"{self.criterion} / {self.framework}"

    def clean(self):
        if self.value == self.Value.TEXT and not self.text:
            raise ValidationError({"text": "Type the text this cell shows."})

    @property
    def display(self) -> str:
        return self.text if self.value == self.Value.TEXT else self.get_value_display()


class Citation(Orderable):
    """A work that cites Tractatus."""

    class Kind(models.TextChoices):
        ARTICLE = "article", "Journal article"
        INPROCEEDINGS = "inproceedings", "Conference paper"
        BOOK = "book", "Book"
        TECHREPORT = "techreport", "Report"
        PHDTHESIS = "phdthesis", "Thesis"
        MISC = "misc", "Other"

    key = models.SlugField(
        "citation key", max_length=80, unique=True, help_text="e.g. smith2026tractatus"
    )
    kind = models.CharField(max_length=13, choices=Kind.choices, default=Kind.ARTICLE)
    authors = models.CharField(max_length=500, help_text='BibTeX style: "Smith, Ada and Lee, Bo".')
    title = models.CharField(max_length=300)
    venue = models.CharField(max_length=300, blank=True, help_text="Journal, conference, …")
    year = models.PositiveSmallIntegerField()
    doi = models.CharField("DOI", max_length=120, blank=True, validators=[no_braces])
    url = models.URLField("URL", blank=True, validators=[no_braces])
    note = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta(Orderable.Meta):
        ordering = ["-year", "order", "id"]

    def __str__(self):
        return f"{self.authors} ({self.year}). {self.title}"

    def get_absolute_url(self):
        return reverse("showcase:citation-bib", args=[self.key])

    @property
    def author_list(self) -> str:
        return ", ".join(name.strip() for name in self.authors.split(" and "))


class Video(models.Model):
    """The video demo of a video section: same-origin, captioned, never autoplaying."""

    section = models.OneToOneField(Section, on_delete=models.CASCADE, related_name="video")
    title = models.CharField(max_length=160)
    file = models.FileField(
        upload_to="video/", validators=[validate_video], help_text="MP4 or WebM, up to 200 MB."
    )
    captions = models.FileField(
        upload_to="video/", validators=[validate_captions], help_text="WebVTT (.vtt), required."
    )
    poster = models.FileField(
        upload_to="video/", validators=[validate_poster], help_text="PNG, JPEG or WebP."
    )
    captions_language = models.CharField(max_length=10, default="en")
    history = HistoricalRecords()

    def __str__(self):
        return self.title

    @property
    def mime_type(self) -> str:
        return "video/webm" if self.file.name.lower().endswith(".webm") else "video/mp4"
