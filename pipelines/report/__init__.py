"""The daily report: queries (what it reads), sections and charts (what it shows), html
(the self-contained page) and build (the folder data/reports/<date>/)."""
