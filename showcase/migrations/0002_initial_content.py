"""The product owner's plan as the site's first content.

A migration runs once per database, so editors' later changes are never overwritten.
"""

from django.db import migrations

from showcase.markdown import render_markdown

SERVICES = [
    ("BoundaryEnforcer", "boundary-enforcer", "operations validated"),
    ("MetacognitiveVerifier", "metacognitive-verifier", "complex decisions verified"),
    ("ContextPressureMonitor", "context-pressure-monitor", "sessions managed safely"),
    ("CrossReferenceValidator", "cross-reference-validator", "schema changes validated"),
    (
        "PluralisticDeliberationOrchestrator",
        "pluralistic-deliberation-orchestrator",
        "content moderation decisions",
    ),
    (
        "InstructionPersistenceClassifier",
        "instruction-persistence-classifier",
        "instructions classified",
    ),
]

NAV = [
    ("Home", "/", False),
    ("About", "/about/", False),
    ("Metrics", "/metrics/", False),
    ("Reports", "/reports/", False),
    ("Live in Production", "/enforcement/", True),
]

EXAMPLES = [
    (
        "Tenant Isolation (Architectural)",
        """// This code CANNOT be written in MySovereignty codebase:
const allUsers = await User.find({}); // ❌ BLOCKED AT FRAMEWORK LEVEL

// Only this is possible:
const users = await User.find({ tenantId }); // ✅ Enforced by architecture""",
        "Framework enforces tenant isolation at the query level. Developers cannot "
        "accidentally leak data across tenants.",
    ),
    (
        "Privacy-by-Architecture",
        """// Platform admin route - ARCHITECTURAL CONSTRAINT
router.get('/admin/users', async (req, res) => {
  // ❌ CANNOT access user content
  // ✅ CAN access tenant metadata only
  // This is enforced architecturally, not by policy
  const tenants = await Tenant.find().select('subdomain createdAt');
  // User data is inaccessible even with admin privileges
});""",
        "Even platform administrators reach tenant metadata only: user content is out of "
        "reach by construction.",
    ),
    (
        "AI Decision Verification",
        """// Before ANY AI moderation decision
const decision = await MetacognitiveVerifier.verify({
  action: 'moderate_content',
  reasoning: aiReasoning,
  alternatives: [keepContent, flagForReview, remove]
});
// Framework requires explicit reasoning + alternatives
// No "black box" AI decisions possible""",
        "Every AI moderation decision must state its reasoning and the alternatives it weighed.",
    ),
]

STEPS = [
    "Visit [MySovereignty.digital](/out/mysovereignty/)",
    "Open browser DevTools → Network tab",
    "Inspect response headers: `Content-Security-Policy: [comprehensive CSP]`, "
    "`Cross-Origin-Opener-Policy: same-origin`, `Cross-Origin-Resource-Policy: same-origin`",
    "Try to bypass tenant isolation: Architecturally impossible",
]

WHY = [
    "Documentation can lie.",
    "Promises can be broken.",
    "Architecture enforces constraints even when humans fail.",
]

WHAT_THIS_MEANS = """- **Every database query:** Tenant isolation verified
- **Every AI decision:** Metacognitive verification
- **Every content moderation:** Pluralistic deliberation
- **Every privacy decision:** Boundary enforcement active"""


def md(model, **fields):
    """Historical models lack the models' save(), so render the Markdown here."""
    for source, target in (("intro", "intro_html"), ("body", "body_html"), ("text", "text_html"),
                           ("footer_text", "footer_html")):
        if source in fields and hasattr(model, target):
            fields[target] = render_markdown(fields[source])
    return model.objects.create(**fields)


def load(apps, schema_editor):
    Page = apps.get_model("showcase", "Page")
    if Page.objects.exists():
        return
    SiteSettings = apps.get_model("showcase", "SiteSettings")
    NavLink = apps.get_model("showcase", "NavLink")
    Section = apps.get_model("showcase", "Section")
    Highlight = apps.get_model("showcase", "Highlight")
    Example = apps.get_model("showcase", "EnforcementExample")
    Evidence = apps.get_model("showcase", "EvidenceItem")
    Service = apps.get_model("metrics", "FrameworkService")

    services = {}
    for order, (name, key, unit) in enumerate(SERVICES, start=1):
        services[key], _ = Service.objects.get_or_create(
            feed_key=key, defaults={"name": name, "unit": unit, "order": order * 10}
        )

    md(
        SiteSettings,
        pk=1,
        site_name="Tractatus",
        banner_label="Live in Production",
        banner_text="Tractatus enforces architectural constraints on MySovereignty.digital — "
        "not aspirational, structurally enforced.",
        banner_link_label="Visit MySovereignty.digital",
        banner_link_url="/out/mysovereignty/",
        badge_text="Live on MySovereignty.digital",
        footer_text="Tractatus: AI governance enforced by architecture. Production figures come "
        "from the public metrics feed of [MySovereignty.digital](/out/mysovereignty/) "
        "— [check them yourself](/metrics/).",
    )
    for order, (label, url, live) in enumerate(NAV, start=1):
        NavLink.objects.create(label=label, url=url, live=live, order=order * 10)

    home = md(
        Page,
        slug="",
        published=True,
        title="AI governance, architecturally enforced",
        meta_description="Tractatus is an AI-governance framework whose constraints are enforced "
        "by architecture in production on MySovereignty.digital. See the live figures.",
        intro="Tractatus is an AI-governance framework whose constraints are enforced by "
        "architecture, not by policy. On MySovereignty.digital they run in production today. "
        "Every production figure on this site comes from that platform's public metrics feed, "
        "and you can check it yourself.",
    )
    cards = md(
        Section,
        page=home,
        order=10,
        kind="metric_cards",
        heading="Live Enforcement Metrics",
        subheading="From MySovereignty.digital production systems",
        body="[See the evidence](/enforcement/) · [Open the metrics dashboard](/metrics/)",
    )
    Highlight.objects.create(
        section=cards, order=10, label="Operations Validated", source="service_operations",
        service=services["boundary-enforcer"], window="30d",
        detail="Last 30 days", note="BoundaryEnforcer active",
    )
    Highlight.objects.create(
        section=cards, order=20, label="Uptime Since Launch", source="uptime_percent",
        suffix="%", detail="October 2024", note="Zero bypasses possible",
    )
    Highlight.objects.create(
        section=cards, order=30, label="Product Variants", source="fixed", fixed_value="4",
        detail="All Tractatus-enforced", note="Community, Family, Business, Passport",
    )
    md(Section, page=home, order=20, kind="text", heading="Principles",
       body="Tractatus constraints are part of the architecture of the systems that adopt "
       "them, so they hold even when people make mistakes.\n\n" + WHAT_THIS_MEANS
       + "\n\nDocumentation can lie. Promises can be broken. Architecture enforces constraints "
       "even when humans fail.")

    about = md(
        Page,
        slug="about",
        published=True,
        title="About Tractatus",
        meta_description="What Tractatus is, and how it is validated in production on "
        "MySovereignty.digital.",
        intro="Tractatus is an AI-governance framework. Its constraints are not guidelines for "
        "developers to follow: they are enforced by the architecture of the platforms that "
        "adopt it. MySovereignty.digital is a multi-tenant platform on which Tractatus "
        "constraints are enforced by architecture.",
    )
    validated = md(
        Section, page=about, order=10, kind="highlights", heading="Validated in Production",
        body="Tractatus isn't a proposal—it's enforced in production systems today.",
        secondary_heading="Live Enforcement",
    )
    for order, (label, source, suffix, detail) in enumerate(
        [
            ("MySovereignty.digital", "none", "",
             "Multi-tenant platform with 4 product variants (Passport, Community, Family, "
             "Business)"),
            ("Framework Uptime", "uptime_percent", "%",
             "enforcement since deployment (October 2024)"),
            ("Bypasses", "bypasses", "",
             "Architectural constraints can't be disabled, even by system administrators"),
            ("Real Metrics", "none", "",
             "Framework services process thousands of operations daily"),
        ],
        start=1,
    ):
        Highlight.objects.create(section=validated, order=order * 10, label=label,
                                 source=source, suffix=suffix, detail=detail)
    md(Section, page=about, order=20, kind="text", heading="What This Means",
       body=WHAT_THIS_MEANS)
    md(Section, page=about, order=30, kind="text", heading="Code Can't Lie",
       body="Visit [MySovereignty.digital](/out/mysovereignty/) and inspect:\n\n"
       "- **Content-Security-Policy headers** (architectural enforcement)\n"
       "- **Multi-tenant isolation** (no shared data leakage possible)\n"
       "- **Privacy-by-architecture** (admin cannot access user content)\n\n"
       "> This isn't documentation claiming safety—it's architectural constraints enforced "
       "in running code.")

    enforcement = md(
        Page,
        slug="enforcement",
        published=True,
        show_badge=True,
        title="Tractatus in Production",
        meta_description="Comprehensive evidence that Tractatus is enforced in production: the "
        "framework services, live enforcement examples and how to check it yourself.",
        intro="Not aspirational. Not theoretical. Architecturally enforced in production systems.",
    )
    table = md(Section, page=enforcement, order=10, kind="services",
               heading="Framework Services Running in Production")
    Highlight.objects.create(
        section=table, order=10, label="Bypasses", source="bypasses",
        detail="Framework enforcement cannot be disabled by developers or administrators",
    )
    Highlight.objects.create(
        section=table, order=20, label="Uptime", source="uptime_percent", suffix="%",
        detail="No degraded service since deployment (Oct 2024)",
    )
    md(Section, page=enforcement, order=20, kind="examples", heading="Live Enforcement Examples")
    md(Section, page=enforcement, order=30, kind="evidence", heading="Impossible to Fake",
       subheading="View Live Evidence", secondary_heading="Why This Matters")
    md(Section, page=enforcement, order=40, kind="text", heading="Share the evidence",
       body="[Share on Mastodon](/out/share-mastodon/) · [Share on LinkedIn](/out/share-linkedin/)"
       " · [Share on Bluesky](/out/share-bluesky/)")
    for order, (title, code, caption) in enumerate(EXAMPLES, start=1):
        Example.objects.create(title=title, code=code, caption=caption, order=order * 10)
    for order, text in enumerate(STEPS, start=1):
        md(Evidence, kind="step", text=text, order=order * 10)
    for order, text in enumerate(WHY, start=1):
        md(Evidence, kind="why", text=text, order=order * 10)

    metrics = md(
        Page,
        slug="metrics",
        published=True,
        title="Real-Time Enforcement Metrics",
        meta_description="Live figures from MySovereignty.digital's public framework-metrics "
        "feed, with the hashes to verify them.",
        intro="Figures from the MySovereignty.digital feed, refreshed every 5 minutes.",
    )
    md(Section, page=metrics, order=10, kind="dashboard", heading="Production figures")
    md(Section, page=metrics, order=20, kind="text", heading="Why publish these figures",
       body="- **Impossible to fake:** live production data\n"
       "- **Transparent:** anyone can verify\n"
       "- **Continuous:** updates every 5 minutes\n"
       "- **Accountable:** history shows consistent enforcement")


class Migration(migrations.Migration):
    dependencies = [
        ("showcase", "0001_initial"),
        ("metrics", "0001_initial"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
