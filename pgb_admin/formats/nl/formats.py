# Django's own Dutch formats, stated here so both languages are read in one place.
DATE_FORMAT = "j F Y"  # 9 november 2026 (in prose)
SHORT_DATE_FORMAT = "j-n-Y"  # 9-11-2026
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y H:i"
SHORT_DATETIME_FORMAT = "j-n-Y H:i"
