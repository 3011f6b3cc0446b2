"""Many articles -> events: article vectors and dates (`eventsim`), grouping (`grouping`).

May import: `ingest`, `text` and the root values.
"""
