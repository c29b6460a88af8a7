"""Model fields for identifiers and dates: they store the normalised form and validate it, so
every form, serializer and import that uses ``full_clean()`` gets the same checks and messages."""

from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import bsn_crypto, validators
from .periods import validate_supported_date


class SupportedDateField(models.DateField):
    """A date within the supported range (:data:`pgb_admin.core.periods.FIRST_DAY` to
    ``LAST_DAY``): the date field of every model, so that nothing outside it is stored, whether
    it comes through a form, the API, an import or a service."""

    default_validators = [validate_supported_date]

    def deconstruct(self):
        # The column is a plain date: migrations see Django's DateField, so that adding the
        # range needed no migration (which would rebuild every table with a date on SQLite).
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DateField", args, kwargs


class _NormalizedCharField(models.CharField):
    normalize = staticmethod(validators.normalize_digits)
    default_max_length = 0

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", self.default_max_length)
        super().__init__(*args, **kwargs)

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
    default_validators = [validators.validate_bsn]


class EncryptedBSNField(models.TextField):
    """A BSN: the normalised number in Python, a Fernet token in the database
    (:mod:`pgb_admin.core.bsn_crypto`). The token is randomised, so the column cannot be
    searched or be unique: a :class:`BSNHashField` next to it is, and lookups go through it
    (``BudgetHolder.objects.with_bsn``). Only ``isnull`` lookups are allowed on this field."""

    description = _("Burgerservicenummer (BSN), encrypted")

    default_validators = [validators.validate_bsn]

    def to_python(self, value):
        value = super().to_python(value)
        if value in (None, ""):
            return value
        return validators.normalize_bsn(value)

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return bsn_crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return bsn_crypto.encrypt(validators.normalize_bsn(value))

    def get_lookup(self, lookup_name):
        # an exact match on a randomised token never finds anything: refuse it loudly
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None

    def get_transform(self, lookup_name):
        return None

    def formfield(
        self,
        form_class: type[forms.Field] | None = None,
        choices_form_class: type[forms.ChoiceField] | None = None,
        **kwargs: Any,
    ) -> forms.Field | None:
        # a one-line input, not TextField's textarea
        return models.Field.formfield(
            self,
            form_class=form_class or forms.CharField,
            choices_form_class=choices_form_class,
            **{"max_length": 20, **kwargs},
        )


class BSNHashField(models.CharField):
    """The keyed hash (HMAC-SHA256, hex) of the BSN in field ``source``, set on every save and
    bulk create. A ``bulk_update`` or ``update()`` of the BSN must set it too."""

    description = _("Keyed hash of a BSN")

    def __init__(self, *args, source: str = "bsn", **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs["editable"] = False
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance, add):
        bsn = getattr(model_instance, self.source)
        value = bsn_crypto.hash_bsn(validators.normalize_bsn(bsn)) if bsn else ""
        setattr(model_instance, self.attname, value)
        return value

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        del kwargs["editable"]
        if kwargs.get("max_length") == 64:
            del kwargs["max_length"]
        if self.source != "bsn":
            kwargs["source"] = self.source
        return name, path, args, kwargs


class IBANField(_NormalizedCharField):
    description = _("IBAN")
    normalize = staticmethod(validators.normalize_iban)
    default_max_length = 34
    default_validators = [validators.validate_iban]


class AGBCodeField(_NormalizedCharField):
    description = _("AGB code")
    default_max_length = 8
    default_validators = [validators.validate_agb_code]


class KvKNumberField(_NormalizedCharField):
    description = _("KvK number")
    default_max_length = 8
    default_validators = [validators.validate_kvk_number]


class BIGNumberField(_NormalizedCharField):
    description = _("BIG number")
    default_max_length = 11
    default_validators = [validators.validate_big_number]


class SVBClientNumberField(_NormalizedCharField):
    description = _("SVB client number")
    default_max_length = 9
    default_validators = [validators.validate_svb_client_number]
