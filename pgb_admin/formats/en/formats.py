# English as written in the Netherlands and Britain: the day first, the month in letters, so
# 9 November is never read as 11 September (Django's "en" writes 11/09/2026).
DATE_FORMAT = "j F Y"  # 9 November 2026 (in prose)
SHORT_DATE_FORMAT = "j M Y"  # 9 Nov 2026
# the 24-hour clock, as the hours are typed (09:30, 17:45)
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y H:i"  # 9 November 2026 14:05
SHORT_DATETIME_FORMAT = "j M Y H:i"  # 9 Nov 2026 14:05
# what date fields read: ISO first (what <input type="date"> sends), then the day first
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d %b %Y", "%d %B %Y"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
]
