"""`manage.py bench`: the pages it times (pages.py), the measuring loop and profiles
(measure.py), and BENCHMARKS.md (report.py, notes.md). The data is usage/benchdata.py."""
