"""How dates are written in each language (``FORMAT_MODULE_PATH``), read by Django's ``date``
filter and by :func:`pgb_admin.core.dates.format_date`: the day first, never MM/DD/YYYY."""
