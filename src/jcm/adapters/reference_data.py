"""The packaged reference lists (``jcm/data/*.csv``), or the text of a list given on the
command line, read as numbered rows of text for the domain to check
(``jcm.domain.portfolio.model``)."""

from __future__ import annotations

import csv
import io
from importlib import resources

from jcm.service_layer.public.project_ports import CsvRows

PROJECTS_FILE = "jcm_funded_projects.csv"
COUNTRIES_FILE = "partner_countries.csv"


def csv_rows(text: str) -> CsvRows:
    """(line number, row) pairs; the header is line 1; a BOM is dropped."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    return [(reader.line_num, dict(row)) for row in reader]


def packaged(name: str) -> str:
    return resources.files("jcm.data").joinpath(name).read_text(encoding="utf-8")


class CsvReferenceData:
    """Rows of the given text or, without any, of the packaged copy."""

    def project_rows(self, text: str | None = None) -> CsvRows:
        return csv_rows(packaged(PROJECTS_FILE) if text is None else text)

    def country_rows(self, text: str | None = None) -> CsvRows:
        return csv_rows(packaged(COUNTRIES_FILE) if text is None else text)
