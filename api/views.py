"""The API clients page, for administrators: every client, creating one (its token shown once)
and revoking one. Thin: bind the form, check the rule, call one service, redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from api import selectors, services
from api.forms import ApiClientForm, RevokeForm
from core.errors import DomainError

MANAGE = "api.manage_clients"


@login_required
@permission_required(MANAGE, raise_exception=True)
def clients(request):
    return render(
        request,
        "api/clients.html",
        {"clients": selectors.api_clients(), "revoke_form": RevokeForm()},
    )


@login_required
@permission_required(MANAGE, raise_exception=True)
def client_new(request):
    form = ApiClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            client, token = services.api_client_create(
                actor=request.user,
                name=data["name"],
                owner=data["owner"],
                scopes=data["scopes"],
                expires_at=form.expires_at(),
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            # The token is rendered once, in this response, and kept nowhere but as a digest.
            response = render(request, "api/client_token.html", {"client": client, "token": token})
            response["Cache-Control"] = "no-store"
            return response
    return render(
        request, "api/client_new.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
@require_POST
@permission_required(MANAGE, raise_exception=True)
def client_revoke(request, pk):
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the client is revoked.")
        return redirect("api:clients")
    try:
        client = services.api_client_revoke(
            actor=request.user, client_id=pk, reason=form.cleaned_data["reason"]
        )
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{client.name} is revoked: its token no longer works.")
    return redirect("api:clients")
