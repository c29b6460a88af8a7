"""Dated reference figures: the funders' maximum tariffs and the statutory figures (minimum wage,
CAK abonnementstarief, working-hours limits, deadlines). Every row has its validity, its source
and whether that source was verified; rules read them by date and never hold a number of their
own. Admins correct or add rows when a funder or the government publishes new figures."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pgb_admin.budgets.constants import Scheme
from pgb_admin.core.dates import format_date
from pgb_admin.core.models import ValidityPeriod
from pgb_admin.core.periods import ValidityQuerySet, periods_overlap, valid_on_q

from .constants import CarerClass, FigureKind, FigureUnit, RateUnit


class SourcedFigure(ValidityPeriod):
    source = models.CharField(_("source"), max_length=500)
    verified = models.BooleanField(
        _("verified"),
        default=False,
        help_text=_("Whether the figure was checked against an official publication."),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta(ValidityPeriod.Meta):
        abstract = True

    #: the fields that, with the period, identify a row; two rows with the same key may not overlap
    key_fields: tuple[str, ...] = ()

    def clean(self) -> None:
        super().clean()
        if self.valid_from is None:
            return
        same_key = (
            type(self)
            ._default_manager.filter(**{field: getattr(self, field) for field in self.key_fields})
            .exclude(pk=self.pk)
        )
        for other in same_key:
            if periods_overlap(self.valid_from, self.valid_to, other.valid_from, other.valid_to):
                raise ValidationError(
                    _(
                        "This figure overlaps another row for the same case, valid from "
                        "%(start)s. End that row first."
                    ),
                    code="overlapping_figure",
                    params={"start": format_date(other.valid_from)},
                )


class StatutoryFigureQuerySet(ValidityQuerySet["StatutoryFigure"]):
    def row_on(
        self,
        kind: str,
        on: date,
        *,
        age: int | None = None,
        scheme: str = "",
        funder_id: int | None = None,
    ) -> "StatutoryFigure | None":
        """The row of ``kind`` valid on ``on``: the funder's own row before the national one,
        the scheme's before the general one. With ``age``, the row for the highest age band
        that the age has reached (the minimum wage 'staffel')."""
        rows = (
            self.valid_on(on)
            .filter(kind=kind)
            .filter(Q(scheme=scheme) | Q(scheme=""))
            .filter(Q(funder_id=funder_id) | Q(funder__isnull=True))
        )
        if age is not None:
            rows = rows.filter(Q(age_min__isnull=True) | Q(age_min__lte=age))
        return rows.order_by(
            models.F("funder_id").desc(nulls_last=True),
            "-scheme",
            models.F("age_min").desc(nulls_last=True),
        ).first()

    def value_on(
        self,
        kind: str,
        on: date,
        *,
        age: int | None = None,
        scheme: str = "",
        funder_id: int | None = None,
    ) -> Decimal | None:
        memo = _request_figures.get()
        key = (kind, on, age, scheme, funder_id)
        if memo is not None and not self.query.has_filters() and key in memo:
            return memo[key]
        row = self.row_on(kind, on, age=age, scheme=scheme, funder_id=funder_id)
        value = row.value if row else None
        if memo is not None and not self.query.has_filters():
            memo[key] = value
        return value


#: figures looked up in this request (``value_on`` of all rows), None outside a request
_request_figures: ContextVar[dict[tuple, Decimal | None] | None] = ContextVar(
    "request_figures", default=None
)


@contextmanager
def figures_cached_per_request() -> Iterator[None]:
    """Within the block (a request), a figure asked for again is not looked up again."""
    token = _request_figures.set({})
    try:
        yield
    finally:
        _request_figures.reset(token)


def forget_request_figures(**kwargs) -> None:
    """A figure was added, changed or removed: look them up again."""
    memo = _request_figures.get()
    if memo:
        memo.clear()


class FigureLookup:
    """Figures (national rows, without age bands asked for) by date for work that checks many
    days: the rows of a figure read once (one query per figure and scheme), each day answered
    from them as :meth:`StatutoryFigureQuerySet.row_on` answers it."""

    def __init__(self) -> None:
        self._rows: dict[tuple[str, str], list[StatutoryFigure]] = {}
        self._values: dict[tuple[str, str, date], Decimal | None] = {}

    def value_on(self, kind: str, on: date, *, scheme: str = "") -> Decimal | None:
        key = (kind, scheme, on)
        if key not in self._values:
            rows = self._preferred(kind, scheme)
            row = next((row for row in rows if row.is_valid_on(on)), None)
            self._values[key] = None if row is None else row.value
        return self._values[key]

    def _preferred(self, kind: str, scheme: str) -> list["StatutoryFigure"]:
        """The national rows of ``kind`` for ``scheme`` in the order ``row_on`` prefers them:
        the scheme's own before the general one, then the highest age band."""
        if (kind, scheme) not in self._rows:
            rows = StatutoryFigure.objects.filter(
                Q(scheme=scheme) | Q(scheme=""), kind=kind, funder__isnull=True
            ).order_by("pk")
            self._rows[kind, scheme] = sorted(
                rows,
                key=lambda row: (row.scheme != scheme, row.age_min is None, -(row.age_min or 0)),
            )
        return self._rows[kind, scheme]


class StatutoryFigure(SourcedFigure):
    kind = models.CharField(_("kind"), max_length=50, choices=FigureKind.choices)
    scheme = models.CharField(
        _("scheme"),
        max_length=10,
        choices=Scheme.choices,
        blank=True,
        help_text=_("Empty when the figure holds for every scheme."),
    )
    funder = models.ForeignKey(
        "budgets.Funder",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="figures",
        verbose_name=_("funder"),
        help_text=_(
            "Empty for a national figure; a funder's own row (e.g. a municipality's signal "
            "threshold) wins over it."
        ),
    )
    age_min = models.PositiveSmallIntegerField(
        _("from age"),
        null=True,
        blank=True,
        help_text=_("For age-dependent figures such as the youth minimum wage."),
    )
    unit = models.CharField(_("unit"), max_length=10, choices=FigureUnit.choices)
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)

    objects = StatutoryFigureQuerySet.as_manager()
    key_fields = ("kind", "scheme", "funder", "age_min")

    class Meta(SourcedFigure.Meta):
        verbose_name = _("statutory figure")
        verbose_name_plural = _("statutory figures")
        ordering = ["kind", "-valid_from", "-age_min"]
        constraints = [
            *SourcedFigure.Meta.constraints,
            models.CheckConstraint(condition=Q(value__gte=0), name="statutory_figure_not_negative"),
        ]

    def __str__(self) -> str:
        age = f" ({self.age_min}+)" if self.age_min is not None else ""
        return f"{self.get_kind_display()}{age} {self.value} from {self.valid_from}"


class MaxTariffQuerySet(ValidityQuerySet["MaxTariff"]):
    def applicable(
        self,
        *,
        scheme: str,
        funder_id: int | None,
        product_id: int | None,
        carer_class: str,
        unit: str,
        on: date,
    ):
        """The maximum tariff for the case on a date: the funder's own row for the product
        wins over the funder's general row, which wins over the national row. A self-employed
        carer (zzp) gets the formal row where the funder has no self-employed row for the case
        (national tables have formal and informal rows only)."""
        found = self._applicable(
            scheme=scheme,
            funder_id=funder_id,
            product_id=product_id,
            carer_class=carer_class,
            unit=unit,
            on=on,
        )
        if found is None and carer_class == CarerClass.SELF_EMPLOYED:
            return self._applicable(
                scheme=scheme,
                funder_id=funder_id,
                product_id=product_id,
                carer_class=CarerClass.FORMAL,
                unit=unit,
                on=on,
            )
        return found

    def _applicable(
        self,
        *,
        scheme: str,
        funder_id: int | None,
        product_id: int | None,
        carer_class: str,
        unit: str,
        on: date,
    ):
        rows = (
            self.filter(valid_on_q(on), scheme=scheme, carer_class=carer_class, unit=unit)
            .filter(Q(funder_id=funder_id) | Q(funder__isnull=True))
            .filter(Q(product_id=product_id) | Q(product__isnull=True))
            .order_by(
                models.F("funder_id").desc(nulls_last=True),
                models.F("product_id").desc(nulls_last=True),
            )
        )
        return rows.first()


class MaxTariff(SourcedFigure):
    """A maximum rate a funder pays from a pgb for a product, for formal or informal care
    (tarieventabel). National rows (Wlz, Zvw) have no funder; general rows have no product."""

    scheme = models.CharField(_("scheme"), max_length=10, choices=Scheme.choices)
    funder = models.ForeignKey(
        "budgets.Funder",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="max_tariffs",
        verbose_name=_("funder"),
        help_text=_("Empty for a national maximum (Wlz, Zvw)."),
    )
    product = models.ForeignKey(
        "budgets.CareProduct",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="max_tariffs",
        verbose_name=_("care product"),
        help_text=_("Empty when the maximum holds for every product."),
    )
    carer_class = models.CharField(
        _("formal or informal"), max_length=16, choices=CarerClass.choices
    )
    unit = models.CharField(_("unit"), max_length=10, choices=RateUnit.choices)
    amount = models.DecimalField(_("maximum rate (EUR)"), max_digits=10, decimal_places=2)

    objects = MaxTariffQuerySet.as_manager()
    key_fields = ("scheme", "funder", "product", "carer_class", "unit")

    class Meta(SourcedFigure.Meta):
        verbose_name = _("maximum tariff")
        verbose_name_plural = _("maximum tariffs")
        ordering = ["scheme", "funder_id", "product_id", "carer_class", "-valid_from"]
        constraints = [
            *SourcedFigure.Meta.constraints,
            models.CheckConstraint(condition=Q(amount__gte=0), name="max_tariff_not_negative"),
        ]
        indexes = [models.Index(fields=["scheme", "carer_class", "unit", "valid_from"])]

    def __str__(self) -> str:
        where = self.funder.code if self.funder else _("national")
        return f"{self.get_scheme_display()} {where} {self.get_carer_class_display()} {self.amount}"
