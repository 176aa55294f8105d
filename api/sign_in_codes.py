"""Signing a phone in with the one-time code printed on the observer's card, instead of a password."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as io
from api.schema import EXAMPLES, OBSERVER_TAG
from api.views import parse
from core.api_schema import errors
from people.accounts import lockout_message
from people.codes import WRONG_SIGN_IN_CODE, authenticate_with_sign_in_code
from people.services import token_issue


class SignInCodeInput(serializers.Serializer):
    # Spaces and dashes are allowed: the card prints the code in groups of four.
    code = serializers.CharField(max_length=64, trim_whitespace=True)


CODE_IN = OpenApiExample("A card's code", value={"code": "K7MX-94RT-PCWE"}, request_only=True)


class SignInCodeView(APIView):
    """The phone trades the one-time code of the observer's card for a bearer token.

    A code works once: a second use, like an expired, revoked or mistyped code, is refused with 400.
    Wrong codes count towards the same lockout as wrong passwords (429).
    """

    authentication_classes = ()
    permission_classes = (AllowAny,)

    @extend_schema(
        tags=[OBSERVER_TAG],
        summary="Sign in: trade a one-time sign-in code for a token",
        request=SignInCodeInput,
        responses={201: io.TokenOutput, **errors(400, 429)},
        examples=[CODE_IN, EXAMPLES["token_out"]],
    )
    def post(self, request: Request) -> Response:
        data = parse(SignInCodeInput, request.data)
        user = authenticate_with_sign_in_code(request, code=data["code"])
        if user is None:
            if getattr(request, "axes_locked_out", False):
                raise exceptions.Throttled(detail=lockout_message(), code="locked_out")
            # One answer for all: a guesser learns nothing from it, an observer knows whom to ask.
            raise exceptions.ValidationError(str(WRONG_SIGN_IN_CODE), code="invalid_code")
        token, key = token_issue(user=user)
        body = {"token": key, "expires_at": token.expires_at, "username": user.get_username()}
        return Response(io.TokenOutput(body).data, status=201)
