"""Credential pages. The secret is on exactly one page: the answer to a POST to `reveal`,
sent with Cache-Control: no-store. Every view that receives a secret is marked so that Django's
error reports leave the submitted values out."""

import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from rules.contrib.views import permission_required

from accounts.selectors import social_accounts_visible_to
from core.views import next_url
from custody.forms import CredentialForm, ReauthForm, RevealForm, RotateForm
from custody.selectors import accounts_needing_credentials
from custody.services import (
    CustodyError,
    ReauthenticationRequired,
    WeakPassword,
    credential_lodge,
    credential_reveal,
    credential_rotate,
    reauth_is_fresh,
)

REAUTH_SESSION_KEY = "custody_reauth_at"


def _no_store(response):
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
    response["Pragma"] = "no-cache"
    return response


def _account(request, pk):
    return get_object_or_404(social_accounts_visible_to(request.user), pk=pk)


@sensitive_post_parameters("login", "password", "notes")
@sensitive_variables("form")
@never_cache
@login_required
def lodge(request, pk):
    account = _account(request, pk)
    if not request.user.has_perm("custody.lodge_credential", account):
        raise PermissionDenied
    back = next_url(request, reverse("accounts:detail", args=[account.pk]))
    form = CredentialForm(request.POST or None)
    form.helper.form_action = request.get_full_path()  # keeps ?next= for the POST
    if request.method == "POST" and form.is_valid():
        try:
            credential_lodge(
                actor=request.user,
                account=account,
                login=form.cleaned_data["login"],
                password=form.cleaned_data["password"],
                notes=form.cleaned_data["notes"],
            )
        except WeakPassword as exc:
            form.add_error(exc.field, str(exc))
        except CustodyError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Login details for @{account.handle} lodged.")
            return redirect(back)
    return _no_store(
        render(
            request,
            "custody/credential_form.html",
            {"form": form, "account": account, "title": "Lodge login details", "back": back},
        )
    )


@sensitive_post_parameters("login", "password", "notes")
@sensitive_variables("form")
@never_cache
@login_required
def rotate(request, pk):
    account = _account(request, pk)
    if not request.user.has_perm("custody.rotate_credential", account):
        raise PermissionDenied
    back = next_url(request, reverse("accounts:detail", args=[account.pk]))
    form = RotateForm(request.POST or None)
    form.helper.form_action = request.get_full_path()
    if request.method == "POST" and form.is_valid():
        try:
            credential_rotate(
                actor=request.user,
                account=account,
                login=form.cleaned_data["login"],
                password=form.cleaned_data["password"],
                notes=form.cleaned_data["notes"],
                reason=form.cleaned_data["reason"],
            )
        except WeakPassword as exc:
            form.add_error(exc.field, str(exc))
        except CustodyError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"New login details for @{account.handle} saved.")
            return redirect(back)
    return _no_store(
        render(
            request,
            "custody/credential_form.html",
            {
                "form": form,
                "account": account,
                "title": "Change the stored login details",
                "back": back,
            },
        )
    )


@sensitive_post_parameters("password", "code")
@never_cache
@permission_required("custody.reveal_credential", raise_exception=True)
def reauthenticate(request):
    form = ReauthForm(request.POST or None, user=request.user)
    next_url = request.POST.get("next") or request.GET.get("next") or reverse("custody:needed")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("custody:needed")
    if request.method == "POST" and form.is_valid():
        request.session.cycle_key()
        form.confirm()
        request.session[REAUTH_SESSION_KEY] = time.time()
        confirmed = "Password and code" if form.asks_for_code else "Password"
        messages.success(request, f"{confirmed} confirmed for the next five minutes.")
        return redirect(next_url)
    return render(request, "custody/reauth.html", {"form": form, "next": next_url})


@sensitive_variables("secret")
@never_cache
@login_required
def reveal(request, pk):
    account = _account(request, pk)
    if not request.user.has_perm("custody.reveal_credential", account):
        raise PermissionDenied
    fresh_at = request.session.get(REAUTH_SESSION_KEY)
    here = reverse("custody:reveal", args=[account.pk])
    if not reauth_is_fresh(fresh_at):
        if request.method == "POST":
            messages.error(
                request, "Confirm your password again: it is more than five minutes old."
            )
        return redirect(f"{reverse('custody:reauth')}?next={here}")
    form = RevealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            secret = credential_reveal(
                actor=request.user,
                account=account,
                reason=form.cleaned_data["reason"],
                reauthenticated_at=fresh_at,
            )
        except ReauthenticationRequired as exc:
            messages.error(request, str(exc))
            return redirect(f"{reverse('custody:reauth')}?next={here}")
        except CustodyError as exc:
            messages.error(request, str(exc))
            return redirect("accounts:detail", pk=account.pk)
        return _no_store(
            render(request, "custody/revealed.html", {"account": account, "secret": secret})
        )
    return _no_store(render(request, "custody/reveal.html", {"form": form, "account": account}))


@permission_required("custody.list_credentials_needed", raise_exception=True)
def needed(request):
    page = Paginator(accounts_needing_credentials(), 50).get_page(request.GET.get("page"))
    return render(request, "custody/needed.html", {"page": page})
