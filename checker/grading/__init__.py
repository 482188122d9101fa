"""Grading: run the rules over a parsed Dockerfile and its context, and hand out the result.

* :mod:`checker.grading.grade`: :func:`~checker.grading.grade.grade`, the one entry point.
* :mod:`checker.grading.findings`: what a grade finds (verdicts, severities, findings) as data.
* :mod:`checker.grading.report`: the grade as text and HTML; :mod:`checker.grading.formats`
  as JSON, CSV, SARIF, GitHub and GitLab output; :mod:`checker.grading.row_output` writes rows.
* :mod:`checker.grading.config`: ``.checker.toml`` / ``[tool.checker]``.
* :mod:`checker.grading.fixing`: ``grade --fix`` and ``--diff``.
* :mod:`checker.grading.batch`: a folder of submissions, each in a limited worker, as rows.
* :mod:`checker.grading.safe_text`: printed text and CSV cells made safe.
"""
