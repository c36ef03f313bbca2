"""The forms of the chat channel pages (people/views_chat.py)."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms

from notifications.chat import validate_webhook_url
from notifications.selectors import chat_channels, notification_kinds

# Never written back into the page: a form with an error asks for the address again.
WEBHOOK_WIDGET = forms.PasswordInput(
    attrs={"autocomplete": "off", "spellcheck": "false"}, render_value=False
)
WEBHOOK_HELP = (
    "In Teams: the channel's ⋯ menu, Workflows, “Post to a channel when a webhook request is "
    "received”; copy the address it gives. It is stored encrypted and never shown again."
)


class WebhookField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            label="Webhook address",
            max_length=2000,
            widget=WEBHOOK_WIDGET,
            help_text=WEBHOOK_HELP,
            error_messages={"required": "Enter the webhook address Teams gave you."},
            **kwargs,
        )

    def clean(self, value):
        return validate_webhook_url(super().clean(value))


class ChatChannelAddForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=80,
        help_text="How people will choose it, for example: Press office – alerts.",
        error_messages={"required": "Enter a name for the channel."},
    )
    url = WebhookField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.text("name", field_width=20),
            Field.text("url"),
            Submit("add", "Add the channel"),
        )


class ChatChannelAddressForm(forms.Form):
    url = WebhookField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(Field.text("url"), Submit("replace", "Replace the address"))


FOR_ME = "me"


class ChatChoicesForm(forms.Form):
    """Which kinds of notification go to one channel, for the person or for the press office."""

    for_whom = forms.ChoiceField(
        label="Whose notifications?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whose notifications these are."},
    )
    channel = forms.ModelChoiceField(
        label="Channel",
        queryset=chat_channels(active_only=True),
        empty_label=None,
        error_messages={"required": "Choose a channel.", "invalid_choice": "Choose a channel."},
    )
    kinds = forms.MultipleChoiceField(
        label="Kinds of notification",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick none to stop posting to this channel.",
    )

    def __init__(self, *args, may_choose_for_team: bool, **kwargs):
        super().__init__(*args, **kwargs)
        whom = [(FOR_ME, "Mine")]
        if may_choose_for_team:
            whom.append(("press_office", "The press office's (its shared mailbox)"))
        self.fields["for_whom"].choices = whom
        self.fields["kinds"].choices = [(k, k) for k in notification_kinds()]
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.radios("for_whom", legend_size=Size.SMALL, inline=True),
            Field.select("channel"),
            Field.checkboxes("kinds", legend_size=Size.SMALL, small=True),
            Submit("save", "Save the choices"),
        )

    def team(self) -> str:
        value = self.cleaned_data["for_whom"]
        return "" if value == FOR_ME else value
