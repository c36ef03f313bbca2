"""Single sign-on with the force's OpenID Connect provider, through django-allauth.

- `provider.py`: allauth's generic OpenID Connect provider made stricter (a nonce, the ID token's
  signature always checked, required claims, asymmetric algorithms only);
- `views.py` and `urls.py`: allauth's login and callback views, using that provider;
- `matching.py`: which officer a signed-in person is (by staff number or e-mail), and why someone
  is refused;
- `adapters.py`: allauth's hooks: nobody signs up, local passwords can be switched off, and a
  single sign-on is matched to an officer or refused with a clear page."""
