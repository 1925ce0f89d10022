"""One accessor per kind of record in the project, each turning domain objects into rows and back."""
