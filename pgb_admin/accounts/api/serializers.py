from rest_framework import serializers

from pgb_admin.api.fields import InputSerializer, StrictCharField
from pgb_admin.budgets.models import Funder

from ..models import AuditorScope, Mandate


class TokenRequestSerializer(InputSerializer):
    username = StrictCharField(max_length=150)
    password = StrictCharField(
        max_length=128, trim_whitespace=False, style={"input_type": "password"}
    )
    otp_code = StrictCharField(
        max_length=24,
        required=False,
        allow_blank=True,
        help_text=(
            "Accounts with two-factor authentication (staff, auditors, pgb bureaus, and anyone "
            "who switched it on): the 6 digits the authenticator app shows now, or a backup "
            "code (it works once). Other accounts leave it out."
        ),
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Bearer <token>`; shown once.")
    expires_at = serializers.DateTimeField()


class MandateSerializer(serializers.ModelSerializer):
    holder_name = serializers.CharField(source="holder.display_name", read_only=True)
    active = serializers.BooleanField(read_only=True, help_text="Valid today.")

    class Meta:
        model = Mandate
        fields = [
            "holder",
            "holder_name",
            "role",
            "representative_kind",
            "valid_from",
            "valid_to",
            "active",
        ]


class AuditorScopeSerializer(serializers.ModelSerializer):
    funder: serializers.SlugRelatedField[Funder] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    funder_name = serializers.CharField(source="funder.name", read_only=True)
    active = serializers.BooleanField(read_only=True, help_text="Valid today.")

    class Meta:
        model = AuditorScope
        fields = ["funder", "funder_name", "valid_from", "valid_to", "active"]


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    email = serializers.CharField()
    is_staff = serializers.BooleanField()
    language = serializers.CharField(help_text="The language of this response's messages.")
    mandates = MandateSerializer(many=True)
    auditor_scopes = AuditorScopeSerializer(many=True)
