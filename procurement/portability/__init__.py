"""Take an organisation's data out, and bring it into another instance.

A buyer must be able to leave with everything it entered: its providers with
their facts, offers and certifications, its procurements, assessments and
answers, the bidders' claims and the evidence files, and the record.
``write_archive`` writes a zip with the JSON document and every evidence
file (named by its SHA-256); ``write_organisation`` writes the JSON to a
stream, chunk by chunk (keyset pagination: a fixed number of queries per
chunk, no list of ids that grows with the organisation), so that memory stays
flat whatever the size; the export job and ``export_organisation`` use it.
``import_organisation_file`` reads such a file as a stream too (ijson), one
provider or assessment at a time, and rebuilds it in one transaction on
another instance, re-scoring every assessment with the engine rather than
trusting numbers in the file. Members are carried by username; an import
links them to accounts of the same name only when asked to
(``link_members``). ``export_organisation_data`` and
``import_organisation_data`` do the same with the document in memory, for
tests and small organisations.
"""

from .fields import FORMAT, FORMAT_VERSION, ImportRefused
from .reading import ImportResult, import_organisation_data, import_organisation_file
from .writing import (
    export_organisation_data,
    filename,
    write_archive,
    write_organisation,
)

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "ImportRefused",
    "ImportResult",
    "export_organisation_data",
    "filename",
    "import_organisation_data",
    "import_organisation_file",
    "write_archive",
    "write_organisation",
]
