"""Record linkage: many source lists of SSPs into one set of persons with golden records.

What services call: `sources.check_source` and `sources.link_record` (a list's rows into
records), `pipeline.link_records` (records into persons and a review queue),
`golden.golden_records` (one row per person with field provenance and conflicts).
"""

from ssp_planner.linkage.golden import GoldenRules, SourceRecord, golden_records
from ssp_planner.linkage.pipeline import LinkOptions, LinkResult, link_records
from ssp_planner.linkage.review import Band, Decisions
from ssp_planner.linkage.sources import check_source, lineage_from, link_record

__all__ = [
    "Band",
    "Decisions",
    "GoldenRules",
    "LinkOptions",
    "LinkResult",
    "SourceRecord",
    "check_source",
    "golden_records",
    "lineage_from",
    "link_record",
    "link_records",
]
