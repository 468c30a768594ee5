"""The door for the core system's books: interchange batches in the table and
field names of JGJ/T 320-2014 (docs/interchange.md).

- schema.py: the tables, their columns, types, lengths and code lists (one
  source for the reader, the writer and the document);
- mapping.py: the standard's codes onto the portal's own names (one module a
  center corrects when its core uses other codes);
"""
