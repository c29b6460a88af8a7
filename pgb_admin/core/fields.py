"""Model fields for identifiers: they store the normalised form and validate it, so every form,
serializer and import that uses ``full_clean()`` gets the same checks and messages."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from . import validators


class _NormalizedCharField(models.CharField):
    normalize = staticmethod(validators.normalize_digits)
    default_max_length = 0
    default_validators_list: tuple = ()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", self.default_max_length)
        super().__init__(*args, **kwargs)

    @property
    def default_validators(self):
        return list(self.default_validators_list)

    def to_python(self, value):
        value = super().to_python(value)
        if value in (None, ""):
            return value
        return self.normalize(value)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_length") == self.default_max_length:
            del kwargs["max_length"]
        return name, path, args, kwargs


class BSNField(_NormalizedCharField):
    description = _("Burgerservicenummer (BSN)")
    normalize = staticmethod(validators.normalize_bsn)
    default_max_length = 9
    default_validators_list = (validators.validate_bsn,)


class IBANField(_NormalizedCharField):
    description = _("IBAN")
    normalize = staticmethod(validators.normalize_iban)
    default_max_length = 34
    default_validators_list = (validators.validate_iban,)


class AGBCodeField(_NormalizedCharField):
    description = _("AGB code")
    default_max_length = 8
    default_validators_list = (validators.validate_agb_code,)


class KvKNumberField(_NormalizedCharField):
    description = _("KvK number")
    default_max_length = 8
    default_validators_list = (validators.validate_kvk_number,)


class BIGNumberField(_NormalizedCharField):
    description = _("BIG number")
    default_max_length = 11
    default_validators_list = (validators.validate_big_number,)


class SVBClientNumberField(_NormalizedCharField):
    description = _("SVB client number")
    default_max_length = 9
    default_validators_list = (validators.validate_svb_client_number,)
