"""django-allauth's hooks for the portal: nobody signs up, and a single sign-on becomes an
officer's sign-in or a clear refusal.

A person who signs in with the force's identity provider for the first time is matched to their
officer record (`matching.py`) and the provider's identity is linked to that officer's login;
later sign-ins follow the link. Either way an officer who has left, or whose login is switched
off, is refused with a page that says why and whom to contact (HTTP 403), nobody is signed in and
no user is created."""

import logging

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.helpers import render_authentication_error
from allauth.socialaccount.providers.base.constants import AuthProcess
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import ObjectDoesNotExist
from django.shortcuts import render
from django.utils.crypto import constant_time_compare

from people.mfa import signed_in_recently
from people.sign_in_events import sign_in_event_record
from people.sso.matching import SignInRefused, check_may_sign_in, identity, officer_for_claims
from people.sso.provider import NONCE_STATE_KEY

logger = logging.getLogger(__name__)


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return False  # officers are added by administrators and seed_demo, never by themselves

    def logout(self, request):
        """Signing out (and a session ended from the sessions page) is in the audit trail."""
        user = request.user
        if user.is_authenticated:
            sign_in_event_record(action="sign_out", user=user, actor=user, request=request)
        super().logout(request)

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """Setting up a second factor just after signing in (as everyone whose role needs one
        does at their first sign-in) does not ask for the password again: a sign-in within
        ACCOUNT_REAUTHENTICATION_TIMEOUT is fresh enough."""
        required = super().is_reauthentication_required(app=app, **kwargs)
        if required and app == "allauth.mfa" and signed_in_recently(context.request):
            return False
        return required


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin):
        return False

    def pre_social_login(self, request, sociallogin):
        id_token = sociallogin.account.extra_data.get("id_token") or {}
        self._check_attempt(request, sociallogin, id_token)
        # The signed ID token's claims win over the userinfo response's.
        claims = {**(sociallogin.account.extra_data.get("userinfo") or {}), **id_token}
        try:
            if sociallogin.is_existing:
                officer = _officer_of(sociallogin.user, claims)
            else:
                officer = officer_for_claims(claims)
            check_may_sign_in(officer, claims)
        except SignInRefused as refused:
            raise ImmediateHttpResponse(_refusal_page(request, sociallogin, refused)) from refused
        if not sociallogin.is_existing:
            sociallogin.connect(request, officer.user)
            logger.info(
                "Linked %s identity %s to officer %s",
                sociallogin.account.provider,
                sociallogin.account.uid,
                officer.staff_number,
            )

    def _check_attempt(self, request, sociallogin, id_token: dict) -> None:
        """Only sign-ins (not linking a second identity to a signed-in user), and only with an ID
        token that carries the nonce this browser's attempt was started with."""
        state = sociallogin.state or {}
        problem = None
        if state.get("process", AuthProcess.LOGIN) != AuthProcess.LOGIN:
            problem = "Only signing in is supported."
        elif not constant_time_compare(
            str(state.get(NONCE_STATE_KEY) or "-"), str(id_token.get("nonce") or "")
        ):
            problem = "The ID token's nonce is not this sign-in attempt's."
        if problem:
            raise ImmediateHttpResponse(
                render_authentication_error(
                    request, sociallogin.provider, exception=OAuth2Error(problem)
                )
            )

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ):
        if exception is None and extra_context and "state_id" in extra_context:
            exception = "no sign-in attempt with this state in this browser's session"
        logger.warning(
            "Single sign-on with %s failed (%s): %s",
            getattr(provider, "name", provider),
            error,
            exception,
        )


def _officer_of(user, claims: dict):
    try:
        return user.officer
    except ObjectDoesNotExist as exc:
        raise SignInRefused(
            SignInRefused.UNKNOWN,
            "Your login is not linked to an officer or member of staff in the portal.",
            claims=claims,
        ) from exc


def _refusal_page(request, sociallogin, refused: SignInRefused):
    email, staff_number = identity(refused.claims)
    logger.warning(
        "Single sign-on refused (%s) for %s identity %s, e-mail %r, staff number %r",
        refused.reason,
        sociallogin.account.provider,
        sociallogin.account.uid,
        email,
        staff_number,
    )
    logout(request)  # whoever was signed in on this browser before is signed out too
    return render(
        request,
        "people/sign_in_refused.html",
        {
            "refused": refused,
            "email": email,
            "staff_number": staff_number,
            "provider_name": sociallogin.provider.name,
            "service_desk": settings.SERVICE_DESK_CONTACT,
        },
        status=403,
    )
