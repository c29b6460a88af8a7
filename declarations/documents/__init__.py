"""The document archive of a budget holder: decisions (beschikkingen) with their dates and
grant, signed care agreements and their changes, invoices, hour slips, letters and objections.

- ``constants``: the kinds and their retention;
- ``checks``: what an upload must be before anything is stored (type by content, size,
  no active content in PDFs, no polyglots), read in chunks;
- ``storage``: the named storage ``documents`` (``STORAGES``) and the generated file names;
- ``services``: upload (one transaction; the stored file is removed when the row is not
  written) and the retention clean-up;
- ``selectors`` and ``views``: the holder's archive, scoped; auditors read only, logged.
  They read ``Document.objects.counting()``: a care provider's invoice file of a month
  (``provider_month``, added by ``services.provider_months``) joins the archive only when the
  holder approves that month.

The models are imported from ``declarations.models`` so Django finds them."""
