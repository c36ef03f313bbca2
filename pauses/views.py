"""Pages for suspending and pausing accounts and lifting them (the press office), reading them
(those who see everything) and acknowledging them (the people told). Thin: fetch through a
permission-filtered selector, check the rule, call one service, redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from rules.contrib.views import permission_required

from accounts.selectors import social_accounts_visible_to
from core.errors import DomainError
from core.views import run_service
from pauses import services
from pauses.forms import LiftForm, PauseForm, SuspendForm
from pauses.models import Pause
from pauses.selectors import pause_notices, pauses_visible_to, unacknowledged_notices_for


@login_required
def account_suspend(request, account_pk):
    account = get_object_or_404(social_accounts_visible_to(request.user), pk=account_pk)
    if not request.user.has_perm("pauses.suspend_account", account):
        raise PermissionDenied
    form = SuspendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_suspend(
                actor=request.user,
                account_id=account.pk,
                reason=form.cleaned_data["reason"],
                review_on=form.cleaned_data["review_on"],
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, f"@{account.handle} is suspended. Everyone who posts to it has been told."
            )
            return redirect("accounts:detail", pk=account.pk)
    return render(
        request,
        "pauses/suspend_form.html",
        {"form": form, "account": account},
        status=400 if form.errors else 200,
    )


@permission_required("pauses.start_pause", raise_exception=True)
def pause_start(request):
    form = PauseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pause = services.pause_start(
                actor=request.user,
                unit=form.cleaned_data["unit"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                f"{pause.effects.count()} accounts are paused. Everyone who posts to them has "
                "been told and asked to acknowledge.",
            )
            return redirect("pauses:detail", pk=pause.pk)
    return render(
        request, "pauses/pause_form.html", {"form": form}, status=400 if form.errors else 200
    )


@require_GET
@permission_required("pauses.list_pauses", raise_exception=True)
def pause_list(request):
    qs = pauses_visible_to(request.user)
    shown = request.GET.get("show", "open")
    if shown != "all":
        qs = qs.filter(lifted_at__isnull=True)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "pauses/pause_list.html",
        {"page": page, "shown": shown, "querystring_base": "show=all" if shown == "all" else ""},
    )


@require_GET
@login_required
def pause_detail(request, pk):
    pause = get_object_or_404(pauses_visible_to(request.user), pk=pk)
    return render(request, "pauses/pause_detail.html", _detail_context(request, pause))


def _detail_context(request, pause, lift_form=None) -> dict:
    notices = list(pause_notices(pause))
    can_lift = pause.is_open and request.user.has_perm("pauses.lift_pause", pause)
    return {
        "pause": pause,
        "notices": notices,
        "waiting": [n for n in notices if n.acknowledged_at is None],
        "accounts": pause.effects.select_related("account", "account__unit").order_by(
            "account__handle"
        ),
        "lift_form": lift_form or (LiftForm(submit=_lift_label(pause)) if can_lift else None),
    }


def _lift_label(pause) -> str:
    return "Lift the suspension" if pause.is_suspension else "Lift the pause"


@login_required
@require_POST
def pause_lift(request, pk):
    pause = get_object_or_404(pauses_visible_to(request.user), pk=pk)
    if not request.user.has_perm("pauses.lift_pause", pause):
        raise PermissionDenied
    form = LiftForm(request.POST, submit=_lift_label(pause))
    if not form.is_valid():
        return render(
            request,
            "pauses/pause_detail.html",
            _detail_context(request, pause, lift_form=form),
            status=400,
        )
    return run_service(
        request,
        lambda: services.pause_lift(
            actor=request.user, pause_id=pause.pk, reason=form.cleaned_data["reason"]
        ),
        success="Lifted. Everyone who posts to the accounts has been told they may post again.",
        then=reverse("pauses:detail", args=[pause.pk]),
    )


@require_GET
@login_required
def my_pauses(request):
    """The person's pauses still to acknowledge."""
    return render(
        request, "pauses/my_pauses.html", {"notices": unacknowledged_notices_for(request.user)}
    )


@login_required
@require_POST
def pause_acknowledge(request, pk):
    pause = get_object_or_404(Pause, pk=pk)
    if not request.user.has_perm("pauses.acknowledge_pause", pause):
        raise PermissionDenied
    return run_service(
        request,
        lambda: services.pause_acknowledge(actor=request.user, pause_id=pause.pk),
        success="Thank you: your acknowledgement is recorded.",
        then="pauses:mine",
    )
