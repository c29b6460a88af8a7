from django.utils.functional import lazy


def _lower(text) -> str:
    return str(text).lower()


#: A translated label in lower case, for use inside a sentence. Stays lazy, so a message built
#: while one language is active still renders in the language of whoever reads it.
lower_lazy = lazy(_lower, str)
