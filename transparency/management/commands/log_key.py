"""`manage.py log_key --new <origin>`: a new signing key for the log, and its verifier key."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from transparency.notes import BadKey, Signer


class Command(BaseCommand):
    help = "Print a new Ed25519 key pair in Go's signed-note format; the origin names the log."

    def add_arguments(self, parser):
        parser.add_argument("--new", metavar="ORIGIN", required=True,
                            help="The log's origin, e.g. tractatus.example/log")
        parser.add_argument("--private-only", action="store_true",
                            help="Print only the signing key (for a file).")

    def handle(self, *args, new, private_only, **options):
        try:
            key = Signer.generate(new)
        except BadKey as exc:
            raise CommandError(f"{new!r}: {exc}") from None
        if private_only:
            self.stdout.write(str(key))
            return
        self.stdout.write(f"LOG_SIGNING_KEY={key}")
        self.stdout.write(f"verifier key: {key.verifier}")
