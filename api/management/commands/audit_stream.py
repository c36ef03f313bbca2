"""`manage.py audit_stream --after N`: the audit stream (as GET /api/v1/audit/stream) to stdout,
for a SIEM collector that runs commands rather than calling the API. The next cursor goes to
stderr, so stdout is pure JSON Lines."""

from django.core.management.base import BaseCommand

from api import stream


class Command(BaseCommand):
    help = "Print audit events after a cursor as JSON Lines (hash and previous hash on each)."

    def add_arguments(self, parser):
        parser.add_argument("--after", type=int, default=0, help="the last cursor received")
        parser.add_argument("--limit", type=int, default=1000, help=f"at most {stream.MAX_LIMIT}")
        parser.add_argument("--follow", action="store_true", help="read until no event is left")

    def handle(self, *args, after, limit, follow, **options):
        while True:
            text, cursor = stream.lines(after, limit)
            self.stdout.write(text, ending="")
            if not follow or cursor == after:
                break
            after = cursor
        self.stderr.write(f"next cursor: {cursor}")
