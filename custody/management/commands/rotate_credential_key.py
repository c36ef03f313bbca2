"""Re-encrypt every lodged credential, and every chat channel's webhook address, under the
current key (the first of CREDENTIAL_KEYS).

To rotate: put a new key first in CREDENTIAL_KEYS, keep the old one after it, deploy, run this
command, then remove the old key."""

from django.core.management.base import BaseCommand

from custody import crypto
from custody.models import Credential
from custody.services import credentials_reencrypt_all
from people.chat import chat_channels_reseal


class Command(BaseCommand):
    help = "Re-encrypt every lodged credential under the current key of CREDENTIAL_KEYS."

    def handle(self, *args, **options):
        current = crypto.current_key_id()
        done = credentials_reencrypt_all()
        left = Credential.objects.exclude(key_id=current).count()
        channels = chat_channels_reseal()
        self.stdout.write(
            self.style.SUCCESS(
                f"Re-encrypted {done} credential(s) under key {current!r}; "
                f"{left} left on older keys. Re-encrypted {channels} chat channel address(es)."
            )
        )
