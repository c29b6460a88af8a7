"""Reminders (issue 19, part 4): what is due on a day, for whom, and the message.

Each kind is a small registered unit (:mod:`.registry`, the kinds in :mod:`.kinds`). One daily
job (:func:`.services.send_reminders`, the Celery task ``reports.send_reminders`` on beat, or
``manage.py send_reminders --date``) stores every reminder due as an in-app :class:`.models.Notice`
once per user, kind and occurrence, and mails those the user wants: one e-mail per reminder, or
one digest a day for bureaus and users acting for several holders."""
