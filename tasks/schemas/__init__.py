"""Typed schemas of the machine endpoints (/api/, tasks/api.py): what a
request must hold and what an answer holds. They only validate (as forms do
for pages); the OpenAPI document is generated from them."""
