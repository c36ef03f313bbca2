"""The portal's one sign-in page (/login/): allauth's login view, offering single sign-on when it
is configured and the password form while local passwords are on (or, when they are off, to
break-glass administrators at /login/?break-glass)."""

from allauth.account.views import LoginView
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.views import ActivateTOTPView
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from django.conf import settings

from people.mfa import record_enrolment

BREAK_GLASS_PARAMETER = "break-glass"


class SignInView(LoginView):
    template_name = "people/sign_in.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sso_providers"] = [
            {"name": provider.name, "url": provider.get_login_url(self.request)}
            for provider in get_social_adapter().list_providers(self.request)
        ]
        context["show_password_form"] = (
            settings.LOCAL_PASSWORDS_ENABLED
            or BREAK_GLASS_PARAMETER in self.request.GET
            or self.request.method == "POST"
        )
        context["local_passwords_enabled"] = settings.LOCAL_PASSWORDS_ENABLED
        return context


sign_in = SignInView.as_view()


class SetUpAuthenticatorView(ActivateTOTPView):
    """allauth's page for setting up an authenticator app. The valid code typed there proves the
    second factor for this session, as one typed at sign-in would (so someone sent here at their
    first sign-in goes on without typing a second code)."""

    def form_valid(self, form):
        response = super().form_valid(form)
        user = self.request.user
        totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
        record_enrolment(self.request, user, totp)
        return response


set_up_authenticator = SetUpAuthenticatorView.as_view()
