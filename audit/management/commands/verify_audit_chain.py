from django.core.management.base import BaseCommand, CommandError

from audit.selectors import verify_chain


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain and name the first broken event."

    def handle(self, *args, **options):
        checked, broken, why = verify_chain()
        if broken is not None:
            raise CommandError(
                f"Audit chain broken at event #{broken.sequence} (id {broken.pk}, "
                f"{broken.action} on {broken.object_type} {broken.object_id}): {why}. "
                f"{checked} events before it verified."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {checked} events verified."))
