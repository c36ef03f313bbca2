"""Forms list their fields explicitly; the state, owner and deciders are never taken from a
request."""

from crispy_forms_gds.layout import Field, Size
from django import forms
from django.utils import timezone

from accounts.models import SocialAccount
from core.forms import CSVFileField, form_helper
from handovers.models import Checklist, Kind
from handovers.selectors import consolidation_targets, successor_choices
from people.models import Officer


class OfficerChoiceField(forms.ModelChoiceField):
    """An officer as someone choosing between two of the same name tells them apart: name,
    rank, unit and staff number (the autocomplete searches all of it)."""

    def label_from_instance(self, obj: Officer) -> str:
        rank = obj.get_rank_display()
        return f"{obj.first_name} {obj.surname}, {rank}, {obj.unit} ({obj.staff_number})"


class StartForm(forms.Form):
    kind = forms.ChoiceField(
        label="What should happen to the account?",
        choices=Kind.choices,
        widget=forms.RadioSelect,
        help_text="The guidance: if a new officer takes your place, hand the account over so they"
        " keep the followers; if you can keep tweeting usefully in your new post, keep it.",
        error_messages={"required": "Choose what should happen to the account"},
    )
    successor = OfficerChoiceField(
        label="Successor",
        queryset=Officer.objects.none(),
        required=False,
        help_text="Only for a handover: the officer who takes the account over. Type part of"
        " their name, unit or staff number.",
        widget=forms.Select(attrs={"data-app-autocomplete": "successor"}),
    )
    target = forms.ModelChoiceField(
        label="The unit's account to fold it into",
        queryset=SocialAccount.objects.none(),
        required=False,
        help_text="Only for a consolidation: the live team, unit or central account its"
        " followers are pointed to, on the same platform, in its unit or a unit above it.",
    )
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="For example 'PC Sharma moves to Response on 1 December'.",
        error_messages={"required": "Say why the account is being handed over or closed"},
    )
    new_purpose = forms.CharField(
        label="New purpose",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        help_text="Only when keeping the account: what it will be for in your new post.",
    )

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = successor_choices(account)
        targets = consolidation_targets(account)
        if targets:
            self.fields["target"].queryset = SocialAccount.objects.filter(
                pk__in=[t.pk for t in targets]
            ).select_related("unit")
            self.fields["target"].label_from_instance = lambda t: (
                f"@{t.handle} ({t.get_kind_display()}, {t.unit})"
            )
        else:  # nothing to fold it into: no such choice
            self.fields["kind"].choices = [c for c in Kind.choices if c[0] != Kind.CONSOLIDATION]
            del self.fields["target"]
        self.helper = form_helper(
            Field.radios("kind", legend_size=Size.MEDIUM),
            Field.select("successor"),
            *([Field.select("target")] if targets else []),
            Field.textarea("reason"),
            Field.textarea("new_purpose"),
            submit="Start",
            name="start",
        )

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == Kind.HANDOVER and not data.get("successor"):
            self.add_error("successor", "Choose the officer who takes the account over")
        if kind == Kind.REPURPOSE and not (data.get("new_purpose") or "").strip():
            self.add_error("new_purpose", "Describe what the account will be for in your new post")
        if kind == Kind.CONSOLIDATION and not data.get("target"):
            self.add_error("target", "Choose the unit's account the followers should go to")
        return data


class _AnswerForm(forms.Form):
    """Yes or no to a step someone else started, with a comment needed for no: each subclass
    says the question, the two choices and what the comment is for."""

    question = ""
    choices: tuple = ()
    choose = ""  # the message when neither is chosen
    comment_label = ""
    comment_help = ""

    answer = forms.ChoiceField(widget=forms.RadioSelect)
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.CharField(widget=forms.HiddenInput, max_length=20)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        answer, comment = self.fields["answer"], self.fields["comment"]
        answer.label, answer.choices = self.question, self.choices
        answer.error_messages["required"] = self.choose
        comment.label, comment.help_text = self.comment_label, self.comment_help
        self.helper = form_helper(
            Field.radios("answer", legend_size=Size.MEDIUM),
            Field.textarea("comment"),
            "version",
            submit="Send your answer",
            name="respond",
        )

    def clean(self):
        data = super().clean()
        if data.get("answer") == "decline" and not (data.get("comment") or "").strip():
            self.add_error("comment", "Say why you decline")
        return data


class RespondForm(_AnswerForm):
    question = "Will you take the account over?"
    choices = (("accept", "Accept the account"), ("decline", "Decline"))
    choose = "Choose accept or decline"
    comment_label = "Message to the owner"
    comment_help = "Needed when you decline: say why, so the owner can find someone else."


class OwnerRespondForm(_AnswerForm):
    """The owner's answer to a consolidation someone else started."""

    question = "Do you agree to fold your account into the unit's account?"
    choices = (("agree", "Agree"), ("decline", "Decline"))
    choose = "Choose agree or decline"
    comment_label = "Comment"
    comment_help = "Needed when you decline: say why the account should stay."


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Your decision",
        choices=[("approved", "Approve"), ("rejected", "Reject")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose approve or reject"},
    )
    comment = forms.CharField(
        label="Comment",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed when you reject: say why.",
    )
    version = forms.CharField(widget=forms.HiddenInput, max_length=20)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Field.radios("outcome", legend_size=Size.MEDIUM),
            Field.textarea("comment"),
            "version",
            submit="Record the decision",
            name="decide",
        )

    def clean(self):
        data = super().clean()
        if data.get("outcome") == "rejected" and not (data.get("comment") or "").strip():
            self.add_error("comment", "Say why you reject it")
        return data


class CompleteForm(forms.Form):
    """The press office's checklist for a handover or a closure (a repurposing has none)."""

    version = forms.CharField(widget=forms.HiddenInput, max_length=20)

    def __init__(self, *args, transition, suggestions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = transition.kind
        layout = []
        for name, label in Checklist.items_for(self.kind) if self.kind != Kind.REPURPOSE else []:
            self.fields[name] = forms.BooleanField(
                label=label,
                required=False,
            )
            layout.append(Field.checkbox(name))
        if self.kind == Kind.HANDOVER:
            successor = transition.successor
            self.fields["new_handle"] = forms.CharField(
                label="The successor's handle",
                max_length=50,
                initial=suggestions[0] if suggestions else transition.account.handle,
                help_text="Without the @. The handle rules apply; free handles for "
                f"{successor.full_name}: {', '.join(suggestions) or 'none found'}.",
                error_messages={"required": "Enter the handle the account now has"},
            )
            self.fields["new_display_name"] = forms.CharField(
                label="The successor's display name",
                max_length=100,
                initial=successor.full_name,
                help_text="As shown on the platform.",
                error_messages={"required": "Enter the display name the account now has"},
            )
            layout += [Field.text("new_handle", field_width=20), Field.text("new_display_name")]
        if self.kind in (Kind.CLOSURE, Kind.CONSOLIDATION):
            self.fields["deactivated_on"] = forms.DateField(
                label="Date deactivated on the platform",
                initial=timezone.localdate,
                help_text="For example 2026-11-24.",
                error_messages={
                    "required": "Enter the date the account was deactivated",
                    "invalid": "Enter a date like 2026-11-24",
                },
            )
            layout.append(Field.text("deactivated_on", field_width=10))
        label = {
            Kind.HANDOVER: "Complete the handover",
            Kind.CLOSURE: "Close the account",
            Kind.CONSOLIDATION: "Close the account and point followers to the unit's account",
            Kind.REPURPOSE: "Approve the new purpose",
        }[self.kind]
        self.helper = form_helper(*layout, "version", submit=label, name="complete")

    def ticked(self) -> set[str]:
        return {
            name
            for name, _ in Checklist.items_for(self.kind)
            if self.cleaned_data.get(name) and self.kind != Kind.REPURPOSE
        }


class MarkOfficerForm(forms.Form):
    officer = forms.ModelChoiceField(
        label="Officer",
        queryset=Officer.objects.none(),
        help_text="Only serving officers and movers are listed.",
        error_messages={"required": "Choose the officer"},
    )
    status = forms.ChoiceField(
        label="What has happened?",
        choices=[(Officer.Status.MOVED, "Moved post"), (Officer.Status.LEFT, "Left the force")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose moved post or left the force"},
    )
    on = forms.DateField(
        label="Date",
        initial=timezone.localdate,
        help_text="The date they moved or left, for example 2026-11-24.",
        error_messages={"required": "Enter the date", "invalid": "Enter a date like 2026-11-24"},
    )
    reason = forms.CharField(
        label="Note",
        required=False,
        max_length=300,
        help_text="Optional, for example 'Transferred to Response'.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = (
            Officer.objects.exclude(status=Officer.Status.LEFT)
            .select_related("unit")
            .order_by("surname", "first_name")
        )
        self.helper = form_helper(
            Field.select("officer"),
            Field.radios("status", legend_size=Size.SMALL),
            Field.text("on", field_width=10),
            Field.text("reason"),
            submit="Mark the officer",
            name="mark",
        )

    def clean_on(self):
        day = self.cleaned_data["on"]
        if day and day > timezone.localdate():
            raise forms.ValidationError("The date cannot be in the future")
        return day


class HRImportForm(forms.Form):
    file = CSVFileField(
        label="HR file of movers and leavers (CSV)",
        help_text="Columns staff_number, status (moved or left) and date (2026-11-24). If any row"
        " is wrong nothing is imported and the lines are listed.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(Field("file"), submit="Import the file", name="import")
