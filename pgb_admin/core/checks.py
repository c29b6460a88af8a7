from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security)
def check_secret_key_is_not_the_development_key(app_configs, **kwargs):
    if settings.DEBUG or settings.SECRET_KEY != settings.DEVELOPMENT_SECRET_KEY:
        return []
    return [
        Error(
            "DJANGO_SECRET_KEY is the development key while DEBUG is off.",
            hint="Set DJANGO_SECRET_KEY to a long random value (see README.md).",
            id="pgb_admin.E001",
        )
    ]
