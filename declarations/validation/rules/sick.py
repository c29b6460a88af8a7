"""Rules on sickness: hours declared on an employment agreement while its carer is reported
sick (the ziekmelding of :class:`contracts.models.SickReport`)."""

from django.utils.translation import gettext_lazy as _

import numpy as np
import pandas as pd

from contracts.constants import EMPLOYMENT_TYPES

from ..engine import Context
from ..registry import Param, rule
from ._common import TREKKINGSRECHT, WARNING, on_lines

_EMPLOYMENT = sorted(kind.value for kind in EMPLOYMENT_TYPES)


@rule(
    code="employment.hours_while_sick",
    severity=WARNING,
    title=_("Hours declared while reported sick"),
    message=_(
        "On %(day)s hours are declared while the carer was reported sick from %(sick_from)s: "
        "continued pay is paid by the employer, not hours worked."
    ),
    fix=_(
        "Check the hours: declare them only as the SVB asks for sick hours (ziekte-uren), or "
        "report the recovery."
    ),
    source=_(
        "BW 7:629 (continued pay in sickness, wetten.overheid.nl); SVB 'Ziek- en "
        "hersteldmeldingen' and 'Uw zorgverlener is ziek' (svb.nl). The change to the Regeling "
        "dienstverlening aan huis (Kamerstuk 36744) is a bill, not law, and is not applied."
    ),
    valid_from=TREKKINGSRECHT,
    params={"day": Param.DATE, "sick_from": Param.DATE},
)
def hours_while_sick(ctx: Context) -> pd.DataFrame:
    lines = ctx.lines
    reports = ctx.inp.sick_reports
    employed = lines["agreement_type"].isin(_EMPLOYMENT).to_numpy()
    declared = employed & (lines["quantity_c"].to_numpy() > 0)
    sick_from = np.full(len(lines), np.datetime64("NaT"), dtype="datetime64[ns]")
    if len(reports) and declared.any():
        # each declared line against each report of its agreement (few reports per agreement)
        candidates = pd.DataFrame(
            {
                "row": np.flatnonzero(declared),
                "agreement_id": lines["agreement_id"].to_numpy()[declared],
            }
        ).merge(reports, on="agreement_id")
        day = lines["care_date"].to_numpy()[candidates["row"].to_numpy()]
        start = candidates["sick_from"].to_numpy()
        end = candidates["recovered_on"].to_numpy()
        inside = (day >= start) & (np.isnat(end) | (day < end))
        hits = candidates[inside]
        sick_from[hits["row"].to_numpy()] = hits["sick_from"].to_numpy()
    return on_lines(ctx, ~np.isnat(sick_from), sick_from=sick_from)
