"""Excel round trip: hour templates (``template``), reading uploads safely (``uploads``) and
the all-or-nothing import of hours and costs (``hours``). ``columns`` is what they share."""
