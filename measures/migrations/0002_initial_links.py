"""The outbound links the plan asks for: MySovereignty, and sharing the enforcement page.

Share destinations are full URLs built once, here, from SITE_URL (set it before the first
migrate); editors change them in the admin afterwards, like any other link.
"""

from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import migrations

SHARE_TEXT = "Tractatus in Production"  # the enforcement page's title


def links():
    page = f"{settings.SITE_URL.rstrip('/')}/enforcement/"
    text = f"{SHARE_TEXT} {page}"
    return [
        ("mysovereignty", "MySovereignty.digital", "https://mysovereignty.digital/"),
        (
            "share-mastodon",
            "Share on Mastodon",
            # Mastodon has no central site: mastodon.social's share form; editors may pick another.
            f"https://mastodon.social/share?{urlencode({'text': text}, quote_via=quote)}",
        ),
        (
            "share-linkedin",
            "Share on LinkedIn",
            f"https://www.linkedin.com/sharing/share-offsite/?{urlencode({'url': page})}",
        ),
        (
            "share-bluesky",
            "Share on Bluesky",
            f"https://bsky.app/intent/compose?{urlencode({'text': text}, quote_via=quote)}",
        ),
    ]


def create_links(apps, schema_editor):
    OutboundLink = apps.get_model("measures", "OutboundLink")
    for slug, label, destination in links():
        OutboundLink.objects.get_or_create(
            slug=slug, defaults={"label": label, "destination": destination}
        )


class Migration(migrations.Migration):
    dependencies = [("measures", "0001_initial")]

    operations = [migrations.RunPython(create_links, migrations.RunPython.noop)]
