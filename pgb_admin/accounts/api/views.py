from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db.models import Case, Value, When
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from pgb_admin.api.throttling import TokenRateThrottle
from pgb_admin.core.periods import valid_on_q

from .. import services, two_factor
from ..authentication import BearerTokenAuthentication
from ..login_limits import refuse_locked_out
from ..models import AuditorScope, Mandate
from . import serializers


class TokenView(APIView):
    """Tokens for scripts: log in with username and password (and, for an account with
    two-factor authentication, a current code as ``otp_code``), then send the token as
    ``Authorization: Bearer <token>``."""

    authentication_classes = [BearerTokenAuthentication]
    throttle_classes = [TokenRateThrottle]

    def get_permissions(self):
        # only revoking needs a token; any other method than POST and DELETE is then a 405
        if self.request.method == "DELETE":
            return [permissions.IsAuthenticated()]
        return [permissions.AllowAny()]

    @extend_schema(
        summary="Get a token with username and password",
        request=serializers.TokenRequestSerializer,
        responses={201: serializers.TokenSerializer},
        auth=[],
    )
    def post(self, request):
        data = serializers.TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        user = authenticate(request, username=fields["username"], password=fields["password"])
        if user is None:
            refuse_locked_out(request)
            raise ValidationError(
                _("The username or password is not right."), code="invalid_credentials"
            )
        with_code = two_factor.api_code_check(user, fields.get("otp_code"))
        token, key = services.api_token_issue(user=user, with_two_factor=with_code)
        return Response(
            serializers.TokenSerializer({"token": key, "expires_at": token.expires_at}).data,
            status=201,
        )

    @extend_schema(
        summary="Revoke the token this request carries", request=None, responses={204: None}
    )
    def delete(self, request):
        if request.auth is not None:
            services.api_token_revoke(token=request.auth)
        return Response(status=204)


def _active_today():
    return Case(When(valid_on_q(timezone.localdate()), then=Value(True)), default=Value(False))


class MeView(APIView):
    @extend_schema(
        summary="You: your mandates for budget holders and your auditor scopes",
        responses={200: serializers.MeSerializer},
    )
    def get(self, request):
        user = request.user
        mandates = (
            Mandate.objects.filter(user=user)
            .select_related("holder")
            .annotate(active=_active_today())
            .order_by("holder_id", "-valid_from")
        )
        scopes = (
            AuditorScope.objects.filter(user=user)
            .select_related("funder")
            .annotate(active=_active_today())
            .order_by("-valid_from")
        )
        me = {
            "id": user.pk,
            "username": user.get_username(),
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "is_staff": user.is_staff,
            "language": get_language(),
            "mandates": mandates,
            "auditor_scopes": scopes,
        }
        return Response(serializers.MeSerializer(me).data)
