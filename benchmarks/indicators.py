"""Benchmark: every indicator of the default framework for every district and quarter, from
about 5 million data values (≈4,500 synthetic wards × 60 months × 20 data element combos).

Ours: the columnar path (`values_frame`: one DBAPI read into pandas; `compute_indicators`:
vectorised aggregation by data element, sums up the hierarchy, ratios from sums). Peer: the
same totals computed by the database itself with SQL GROUP BY (window function for "last"
values), then the ratios in Python. Quality: both must give the same numbers. Loading the values
into the database is timed apart from reading and computing. Run: `make bench`, or
`python benchmarks/indicators.py [--wards N --months M]`.
"""

from __future__ import annotations

import argparse
import io
import math
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, insert, select, text

from _common import postgres_factory, sqlite_factory, timed, write_results
from ssp_planner.domain.areas import AreaLevel
from ssp_planner.monitoring.compute import compute_indicators
from ssp_planner.monitoring.framework import Framework, load_framework
from ssp_planner.monitoring.periods import PeriodType, parse_period, periods_between, roll_up
from ssp_planner.services.areas import areas_frame, load_areas
from ssp_planner.services.batches import start_batch
from ssp_planner.services.monitoring import area_values_frame, sync_data_elements, values_frame
from ssp_planner.store import connect, migrate, session_scope
from ssp_planner.store.models import Area, AreaIndicator
from ssp_planner.workforce.hierarchy import ancestor_at

SEED = 20261125


def build(make_url: Callable[[str], str], wards: int, months: int) -> tuple[Engine, int, float]:
    """A fresh database with areas, synthetic wards and their data values; (engine, values,
    seconds spent loading the values)."""
    engine = connect(make_url("ssp_bench_indicators"))
    migrate(engine)
    load_areas(engine)
    framework = load_framework()
    with session_scope(engine) as session:
        ward_ids = _add_wards(session, wards)
        ids = sync_data_elements(session, framework)
        batch = start_batch(
            session, kind="benchmark", file_name="synthetic", sha256="-", synthetic=True
        )
        batch_id = batch.id
        _flag_districts(session, batch_id)
    frame = _values(framework, ids, ward_ids, months, batch_id)
    secs, _ = timed(lambda: _bulk_load(engine, frame))
    return engine, len(frame), secs


def _add_wards(session, total: int) -> np.ndarray:  # type: ignore[no-untyped-def]
    """≈`total` wards spread over the municipalities by population, 8-digit ward IDs."""
    munis = session.execute(select(Area.id).where(Area.level == "municipality")).scalars().all()
    rng = np.random.default_rng(SEED)
    share = rng.dirichlet(np.ones(len(munis)) * 3)
    counts = np.maximum(1, np.round(share * total)).astype(int)
    rows = [
        {
            "code": f"{10_000_000 + i * 1000 + k:08d}",
            "level": AreaLevel.WARD.value,
            "name": f"Ward {k}",
            "parent_id": muni,
            "source": "synthetic benchmark ward",
        }
        for i, (muni, n) in enumerate(zip(munis, counts, strict=True))
        for k in range(1, n + 1)
    ]
    session.execute(insert(Area), rows)
    return np.array(session.execute(select(Area.id).where(Area.level == "ward")).scalars().all())


def _flag_districts(session, batch_id: int) -> None:  # type: ignore[no-untyped-def]
    districts = session.execute(select(Area.id).where(Area.level == "district")).scalars().all()
    session.execute(
        insert(AreaIndicator),
        [
            {
                "area_id": d,
                "indicator": "most_deprived",
                "period": "2024",
                "value": float(i % 5 == 0),
                "source": "synthetic benchmark",
                "synthetic": True,
                "batch_id": batch_id,
            }
            for i, d in enumerate(districts)
        ],
    )


def _values(
    framework: Framework, ids: dict[str, int], wards: np.ndarray, months: int, batch_id: int
) -> pd.DataFrame:
    combos = [(ids[c], coc) for c, el in framework.data_elements.items() for coc in el.cocs]
    first = parse_period("202104")
    periods = [str(p) for p in periods_between(first, parse_period("209912"))[:months]]
    n = len(wards) * len(periods) * len(combos)
    rng = np.random.default_rng(SEED)
    return pd.DataFrame(
        {
            "data_element_id": np.repeat([e for e, _c in combos], len(wards) * len(periods)),
            "coc": np.repeat([c for _e, c in combos], len(wards) * len(periods)),
            "area_id": np.tile(np.repeat(wards, len(periods)), len(combos)),
            "period": np.tile(periods, len(wards) * len(combos)),
            "value": rng.poisson(40, size=n).astype(float),
            "synthetic": True,
            "batch_id": batch_id,
        }
    )


def _bulk_load(engine: Engine, frame: pd.DataFrame) -> None:
    """COPY on PostgreSQL, executemany on SQLite: the fastest plain load each backend has."""
    cols = list(frame.columns)
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        if engine.dialect.name == "postgresql":
            buf = io.StringIO()
            frame.to_csv(buf, index=False, header=False)
            with cur.copy(f"COPY data_value ({', '.join(cols)}) FROM STDIN (FORMAT csv)") as cp:  # type: ignore[attr-defined]
                cp.write(buf.getvalue())
        else:
            sql = (
                f"INSERT INTO data_value ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
            )
            cur.executemany(sql, frame.itertuples(index=False, name=None))
        raw.commit()
    finally:
        raw.close()


def ours(engine: Engine, framework: Framework, quarters: list) -> tuple[float, float, pd.DataFrame]:  # type: ignore[type-arg]
    """(read seconds, compute seconds, indicators)."""
    read, values = timed(lambda: values_frame(engine))
    with session_scope(engine) as session:
        areas = areas_frame(session)
        area_values = area_values_frame(session, areas, framework.area_indicators)
    level = AreaLevel.DISTRICT
    secs, out = timed(
        lambda: compute_indicators(
            framework, values, areas, area_values, level=level, periods=quarters
        )
    )
    return read, secs, out


PEER_TABLES = (
    "CREATE TABLE bench_anc (area_id INTEGER PRIMARY KEY, district_id INTEGER)",
    "CREATE TABLE bench_period (period VARCHAR(20) PRIMARY KEY, quarter VARCHAR(20), rnk INTEGER)",
    "CREATE TABLE bench_weight (area_id INTEGER PRIMARY KEY, w DOUBLE PRECISION)",
)
PEER_SQL = """
WITH leaf AS (
  SELECT dv.data_element_id AS e, dv.coc AS c, dv.area_id AS a, bp.quarter AS q, bp.rnk AS r,
         CAST(dv.value AS DOUBLE PRECISION) AS v, de.aggregation AS agg
  FROM data_value dv
  JOIN bench_period bp ON bp.period = dv.period
  JOIN data_element de ON de.id = dv.data_element_id
), per_leaf AS (
  SELECT e, c, a, q, SUM(v) AS v FROM leaf WHERE agg = 'sum' GROUP BY e, c, a, q
  UNION ALL
  SELECT e, c, a, q, AVG(v) FROM leaf WHERE agg = 'average' GROUP BY e, c, a, q
  UNION ALL
  SELECT e, c, a, q, v FROM (
    SELECT e, c, a, q, v, ROW_NUMBER() OVER (PARTITION BY e, c, a, q ORDER BY r DESC) AS n
    FROM leaf WHERE agg = 'last') t WHERE n = 1
)
SELECT de.code, p.c, anc.district_id, p.q, SUM(p.v), SUM(p.v * COALESCE(w.w, 0))
FROM per_leaf p
JOIN bench_anc anc ON anc.area_id = p.a
JOIN data_element de ON de.id = p.e
LEFT JOIN bench_weight w ON w.area_id = p.a
GROUP BY de.code, p.c, anc.district_id, p.q
"""


def peer(engine: Engine, framework: Framework, quarters: list) -> tuple[float, pd.DataFrame]:  # type: ignore[type-arg]
    """SQL GROUP BY in the database (helper tables created first, not timed), ratios in Python."""
    _peer_tables(engine, quarters)
    secs, rows = timed(lambda: _peer_query(engine))
    with session_scope(engine) as session:
        areas = areas_frame(session)
        pops = area_values_frame(session, areas, {"population"})
    pop = pops.set_index("area_id")["value"]
    start, out = timed(lambda: _peer_ratios(framework, rows, pop, areas, quarters))
    return secs + start, out


def _peer_tables(engine: Engine, quarters: list) -> None:  # type: ignore[type-arg]
    with session_scope(engine) as session:
        areas = areas_frame(session)
        periods = session.execute(text("SELECT DISTINCT period FROM data_value")).scalars().all()
        weights = area_values_frame(session, areas, {"most_deprived"})
    up = ancestor_at(areas, AreaLevel.DISTRICT).dropna()
    flag = weights[weights["indicator"] == "most_deprived"].set_index("area_id")["value"]
    leaf_w = up.map(flag).dropna()
    wanted = {str(q) for q in quarters}
    with engine.begin() as conn:
        for t in ("bench_anc", "bench_period", "bench_weight"):
            conn.execute(text(f"DROP TABLE IF EXISTS {t}"))
        for ddl in PEER_TABLES:
            conn.execute(text(ddl))
        conn.execute(
            text("INSERT INTO bench_anc VALUES (:a, :d)"),
            [{"a": int(a), "d": int(d)} for a, d in up.items()],
        )
        rows = [
            (
                p,
                str(roll_up(parse_period(p), PeriodType.QUARTERLY)),
                parse_period(p).start.toordinal(),
            )
            for p in periods
        ]
        conn.execute(
            text("INSERT INTO bench_period VALUES (:p, :q, :r)"),
            [{"p": p, "q": q, "r": r} for p, q, r in rows if q in wanted],
        )
        conn.execute(
            text("INSERT INTO bench_weight VALUES (:a, :w)"),
            [{"a": int(a), "w": float(w)} for a, w in leaf_w.items()],
        )


def _peer_query(engine: Engine) -> pd.DataFrame:
    with engine.connect() as conn:
        rows = conn.execute(text(PEER_SQL)).all()
    frame = pd.DataFrame(rows, columns=["element", "coc", "area_id", "period", "v", "vw"])
    return frame.astype({"v": float, "vw": float})


def _peer_ratios(
    framework: Framework, totals: pd.DataFrame, pop: pd.Series, areas: pd.DataFrame, quarters: list
) -> pd.DataFrame:  # type: ignore[type-arg]
    """The plain loop a spreadsheet would do: for each indicator, district and quarter."""
    plain = totals.groupby(["element", "coc", "area_id", "period"])["v"].sum().to_dict()
    weighted = totals.groupby(["element", "coc", "area_id", "period"])["vw"].sum().to_dict()
    cocs = {c: el.cocs for c, el in framework.data_elements.items()}
    districts = areas.loc[areas["level"] == "district", "id"].tolist()
    rows = []
    for code, ind in framework.indicators.items():
        for d in districts:
            for q in quarters:

                def total(terms, d=d, q=str(q)):  # type: ignore[no-untyped-def]
                    vals = []
                    for t in terms:
                        if t.area:
                            vals.append(pop.get(d, math.nan))
                            continue
                        src = weighted if t.weight else plain
                        vals += [
                            src[k]
                            for c in ([t.coc] if t.coc else cocs[t.element])
                            if (k := (t.element, c, d, q)) in src
                        ]
                    return sum(vals) if vals else math.nan

                num = total(ind.numerator)
                den = total(ind.denominator) if ind.denominator else 1.0
                value = num * ind.factor / den if den else math.nan
                if ind.annualised:
                    value *= 4
                rows.append((code, d, str(q), value))
    return pd.DataFrame(rows, columns=["indicator", "area_id", "period", "value"])


def compare(ours_: pd.DataFrame, peer_: pd.DataFrame) -> tuple[int, int, float]:
    """(cells compared, cells that differ beyond 1e-9 relative, largest relative difference)."""
    keys = ["indicator", "area_id", "period"]
    both = ours_.merge(peer_, on=keys, suffixes=("_ours", "_peer"))
    a, b = both["value_ours"].to_numpy(), both["value_peer"].to_numpy()
    same_nan = np.isnan(a) & np.isnan(b)
    rel = np.abs(a - b) / np.maximum(np.abs(b), 1e-12)
    rel[same_nan] = 0.0
    rel = np.nan_to_num(rel, nan=np.inf)
    return len(both), int((rel > 1e-9).sum()), float(rel.max())


def run_backend(
    name: str, make_url: Callable[[str], str], wards: int, months: int
) -> list[dict[str, object]]:
    engine, n, load_secs = build(make_url, wards, months)
    framework = load_framework()
    quarters = periods_between(parse_period("2021Q2"), parse_period("2099Q4"))[: months // 3]
    read, compute, mine = ours(engine, framework, quarters)
    peer_secs, theirs = peer(engine, framework, quarters)
    cells, differ, worst = compare(mine, theirs)
    quality = f"{cells:,} indicator values; {differ:,} differ (max rel. diff {worst:.1e})"
    engine.dispose()
    return [
        _row(name, "load values into the database (COPY / executemany)", n, load_secs, "-"),
        _row(name, "ours: read values (DBAPI → pandas)", n, read, "-"),
        _row(name, "ours: compute all indicators (pandas, vectorised)", n, compute, quality),
        _row(name, "ours: read + compute", n, read + compute, quality),
        _row(name, "peer: SQL GROUP BY in the database + ratios in Python", n, peer_secs, quality),
    ]


def _row(backend: str, step: str, n: int, secs: float, quality: str) -> dict[str, object]:
    return {
        "backend": backend,
        "step": step,
        "values": f"{n:,}",
        "seconds": f"{secs:.2f}",
        "same numbers (ours vs peer)": quality,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--wards", type=int, default=4_500)
    parser.add_argument("--months", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        results = run_backend("SQLite", sqlite_factory(Path(tmp)), args.wards, args.months)
        pg = os.environ.get("SSP_TEST_POSTGRES_URL")
        if pg:
            results += run_backend("PostgreSQL", postgres_factory(pg), args.wards, args.months)
    note = (
        f"\n{args.wards:,} wards requested × {args.months} months × 20 data element combos; "
        f"{len(load_framework().indicators)} indicators × 52 districts × {args.months // 3} "
        f"quarters. Machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at "
        "the end (other work on the machine slows every row alike).\n"
    )
    note += "" if pg else "PostgreSQL not measured: set SSP_TEST_POSTGRES_URL.\n"
    print(write_results("indicators", "Indicators for all districts and quarters", results, note))


if __name__ == "__main__":
    main()
