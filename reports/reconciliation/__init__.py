"""Matching the overviews of the SVB (PGB Portaal) and of the insurer (Zvw) against
pgb-admin's own declarations and grants (issue 19): an uploaded or hand-entered overview is
stored once (who, when, checksum), its lines are matched per agreement and month, and what
does not agree becomes a work list of differences, each with its own resolution.

Modules: ``constants`` (the kinds), ``columns`` (the documented column layouts, see
docs/reconciliation.md), ``models``, ``reading`` (file -> lines, row-numbered problems),
``services`` (the writes), ``selectors`` (the scoped reads), ``views`` and ``forms``."""
