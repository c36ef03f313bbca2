"""Chat (Teams) channels: an administrator's list of channels, and the page where a supervisor
or the press office chooses what is posted to them (people/chat.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from rules.contrib.views import permission_required

from audit.selectors import history_for
from core.errors import DomainError
from notifications.selectors import chat_channels, chat_subscriptions_of
from people import chat
from people.forms_chat import FOR_ME, ChatChannelAddForm, ChatChannelAddressForm, ChatChoicesForm


@sensitive_post_parameters("url")
@login_required
@require_http_methods(["GET", "POST"])
@permission_required("people.manage_chat_channels", raise_exception=True)
def channels(request):
    form = ChatChannelAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            channel = chat.chat_channel_add(
                actor=request.user, name=form.cleaned_data["name"], url=form.cleaned_data["url"]
            )
        except DomainError as exc:
            form.add_error("name", str(exc))
        else:
            messages.success(request, f"Added the channel {channel.name}.")
            return redirect("people:chat_channels")
    return render(
        request,
        "people/chat_channels.html",
        {"channels": chat_channels(), "form": form},
        status=400 if form.errors else 200,
    )


@sensitive_post_parameters("url")
@login_required
@require_http_methods(["GET", "POST"])
@permission_required("people.manage_chat_channels", raise_exception=True)
def channel(request, pk):
    channel = get_object_or_404(chat_channels(), pk=pk)
    form = ChatChannelAddressForm(request.POST if "replace" in request.POST else None)
    if request.method == "POST":
        try:
            if "replace" in request.POST:
                if form.is_valid():
                    chat.chat_channel_replace_address(
                        actor=request.user, channel_id=channel.pk, url=form.cleaned_data["url"]
                    )
                    messages.success(request, f"Replaced the address of {channel.name}.")
                    return redirect("people:chat_channel", pk=channel.pk)
            else:
                active = request.POST.get("switch") == "on"
                chat.chat_channel_switch(actor=request.user, channel_id=channel.pk, active=active)
                messages.success(request, f"Switched {channel.name} {'on' if active else 'off'}.")
                return redirect("people:chat_channel", pk=channel.pk)
        except DomainError as exc:
            messages.error(request, str(exc))
            return redirect("people:chat_channel", pk=channel.pk)
    return render(
        request,
        "people/chat_channel.html",
        {"channel": channel, "form": form, "history": history_for(channel)},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
@permission_required("people.choose_chat", raise_exception=True)
def choices(request):
    may_team = request.user.has_perm("people.choose_team_chat")
    initial = {"for_whom": request.GET.get("for", FOR_ME)}
    if request.GET.get("channel", "").isdigit():
        initial["channel"] = int(request.GET["channel"])
        team = "" if initial["for_whom"] == FOR_ME else initial["for_whom"]
        if team and not may_team:
            raise PermissionDenied("Only the press office chooses the press office's channels.")
        owner = {"team": team} if team else {"user": request.user}
        initial["kinds"] = list(
            chat_subscriptions_of(**owner)
            .filter(channel_id=initial["channel"])
            .values_list("kind", flat=True)
        )
    form = ChatChoicesForm(request.POST or None, initial=initial, may_choose_for_team=may_team)
    if request.method == "POST" and form.is_valid():
        try:
            changes = chat.chat_choices_set(
                actor=request.user,
                channel_id=form.cleaned_data["channel"].pk,
                kinds=form.cleaned_data["kinds"],
                for_team=form.team(),
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Saved your choices." if changes else "Nothing changed.")
            return redirect("people:chat_choices")
    return render(
        request,
        "people/chat_choices.html",
        {
            "form": form,
            "mine": chat_subscriptions_of(user=request.user),
            "team": chat_subscriptions_of(team=chat.PRESS_OFFICE) if may_team else None,
            "any_channel": chat_channels(active_only=True).exists(),
        },
        status=400 if form.errors else 200,
    )
