from django.conf import settings
from django.db import models

from accounts.models import SocialAccount


class Credential(models.Model):
    """The login details lodged for one account, sealed with AES-GCM (see custody/crypto.py).
    The plaintext exists only inside `credential_reveal` and the reveal page it renders."""

    account = models.OneToOneField(
        SocialAccount, on_delete=models.PROTECT, related_name="credential"
    )
    key_id = models.CharField(max_length=20, help_text="Which key of CREDENTIAL_KEYS sealed it.")
    nonce = models.BinaryField(max_length=12, editable=False)
    ciphertext = models.BinaryField(editable=False)
    lodged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    lodged_at = models.DateTimeField(help_text="When these login details were given to us.")
    encrypted_at = models.DateTimeField(help_text="When they were last sealed (key rotation).")

    class Meta:
        ordering = ["account__handle"]

    def __str__(self):
        return f"Credentials for {self.account}"

    def __repr__(self):
        return f"<Credential account={self.account_id} key={self.key_id}>"
