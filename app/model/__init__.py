"""The document model: a record's lifecycle (``lifecycle``) and the small modules it calls:
``document`` (the record and its hooks), ``schemas`` (types, from the fieldtype table),
``validation``, ``naming``, ``persistence``, ``audit``, ``customize`` (per-MDO custom
fields), ``workflow`` (states and transitions) and ``actions`` (document actions)."""
