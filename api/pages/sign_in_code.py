"""Signing in on /observe/ with the one-time code of the observer's printed card.

The card's QR code opens /observe/login/#code=…: the code is in the fragment, which the browser
sends to no server, keeps out of access logs and never puts in a Referer. The login page's script
(sign_in_code.js) moves it into the form below and posts it.
"""

from django import forms
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from people.accounts import SignInForm
from people.codes import WRONG_SIGN_IN_CODE, authenticate_with_sign_in_code

# The session of a code sign-in is Django's own, as after a password: the outbox then asks for its token.
BACKEND = "people.accounts.AccountBackend"


class SignInCodeForm(forms.Form):
    code = forms.CharField(label=_("Sign-in code"), max_length=64)


@require_POST
def sign_in_with_code(request):
    form = SignInCodeForm(request.POST)
    if form.is_valid():
        user = authenticate_with_sign_in_code(request, code=form.cleaned_data["code"])
        if user is not None:
            login(request, user, backend=BACKEND)
            return redirect("observe:stations")
        # A locked-out address gets the lockout page instead of this one (axes' middleware).
        form.add_error("code", WRONG_SIGN_IN_CODE)
    context = {"form": SignInForm(request), "code_form": form}
    return render(request, "observe/login.html", context, status=400)
