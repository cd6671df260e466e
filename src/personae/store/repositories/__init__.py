"""One repository per kind of record; each method is one short transaction (or joins the open
one of `Store.transaction()`), takes and returns domain objects."""
