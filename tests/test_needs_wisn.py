"""WHO WISN arithmetic (needs/wisn.py) against a published worked example and hand computation.

WHO's own manual (Workload indicators of staffing need: user's manual, WHO 2010) could not be
consulted from this workspace, so its worked example is NOT reproduced here. What is reproduced:

1. The published worked example in "An assessment of staffing needs at a HIV clinic in a
   Western Kenya using the WHO workload indicators of staffing need WISN, 2011",
   Human Resources for Health 15 (2017), Table 3 "Computation of estimating staffing
   requirements using WISN", doi:10.1186/s12960-017-0186-3
   (https://human-resources-health.biomedcentral.com/articles/10.1186/s12960-017-0186-3/tables/3):
   4.5 consultation days a week × 52 weeks = 234 days; less 10 public holidays, 30 days annual
   and 15 days sick leave = 179 days; 10,000 patients × 10 visits × 0.25 h = 25,000 h =
   3,125 days; 3,125 ÷ 179 = 17.46 staff.
2. Hand-computed cases for CAF, IAF, required staff, WISN difference and WISN ratio, using the
   formulas quoted in ../shared/data/FACTS.md ("WHO WISN method (user manual, WHO 2010)").
"""

from __future__ import annotations

import numpy as np
import pytest

from ssp_planner.needs import load_norms, wisn


class TestPublishedKenyaExample:
    """Human Resources for Health 2017, doi:10.1186/s12960-017-0186-3, Table 3."""

    awt = wisn.available_working_time(
        working_days=4.5 * 52,  # "4.5 days a week in consultations ... 52 weeks" = 234 days
        public_holidays=10,
        annual_leave=30,
        sick_leave=15,
        other_leave=0,
        hours_per_day=8,
    )

    def test_available_working_time_is_179_days(self) -> None:
        assert self.awt / 8 == 179
        assert self.awt == 1432

    def test_workload_is_25000_hours_or_3125_days(self) -> None:
        visits, hours_per_visit = 10_000 * 10, 0.25
        assert visits * hours_per_visit == 25_000
        assert visits * hours_per_visit / 8 == 3_125

    def test_required_clinicians_is_17_46(self) -> None:
        standard = wisn.standard_workload(self.awt, minutes_per_case=15)
        assert standard == pytest.approx(5_728)  # consultations one clinician can do a year
        staff = wisn.required_staff([100_000], [standard], caf=1.0)
        assert round(float(staff), 2) == 17.46


def test_south_african_default_awt_is_1672_hours() -> None:
    """[260 − (12 + 22 + 12 + 5)] × 8 = 209 days × 8 h (needs/norms.toml defaults)."""
    assert wisn.available_working_time(260, 12, 22, 12, 5, 8) == 1672
    assert load_norms().awt_hours == 1672


def test_hand_computed_requirement_with_allowances() -> None:
    """Two services, 20% category allowances and two individual allowances, by hand:

    workload hours = 300 × 600 min + 1,000 × 60 min = 4,000 h; 4,000 ÷ 1,672 = 2.392344 staff;
    CAF = 1 ÷ (1 − 20 ÷ 100) = 1.25 → 2.990431; IAF = (2 × 167.2 h + 1 × 334.4 h) ÷ 1,672 = 0.4;
    required = 3.390431.
    """
    awt = 1672.0
    standards = [wisn.standard_workload(awt, 600), wisn.standard_workload(awt, 60)]
    assert standards[0] == pytest.approx(167.2)
    assert standards[1] == pytest.approx(1672)
    caf = wisn.category_allowance_factor([10, 10])
    assert caf == pytest.approx(1.25)
    iaf = wisn.individual_allowance_factor([167.2, 334.4], [2, 1], awt)
    assert float(iaf) == pytest.approx(0.4)
    required = float(wisn.required_staff([300, 1000], standards, caf, iaf))
    assert required == pytest.approx(4000 / 1672 * 1.25 + 0.4)
    assert required == pytest.approx(3.390431, abs=1e-6)
    assert float(wisn.wisn_difference(3, required)) == pytest.approx(-0.390431, abs=1e-6)
    assert float(wisn.wisn_ratio(3, required)) == pytest.approx(0.884844, abs=1e-6)


def test_functions_broadcast_over_areas() -> None:
    cases = np.array([0.0, 100.0, 250.0])
    standard = wisn.standard_workload(1500.0, 90.0)  # 1,000 cases a year
    staff = wisn.required_staff([cases], [standard], caf=1.0)
    np.testing.assert_allclose(staff, [0.0, 0.1, 0.25])
    np.testing.assert_allclose(wisn.wisn_ratio(np.array([1, 1, 1]), staff), [np.nan, 10, 4])
    np.testing.assert_allclose(wisn.wisn_difference(np.array([1, 1, 1]), staff), [1, 0.9, 0.75])


def test_category_allowances_of_100_percent_are_refused() -> None:
    with pytest.raises(ValueError, match="100"):
        wisn.category_allowance_factor([60, 40])
