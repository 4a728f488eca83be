"""Employer-change path: one row per holder type and situation."""
from __future__ import annotations

import pytest
import yaml

from bot.services.employer_change import (
    ACTORS,
    ENTRY_BY_HOLDER,
    HOLDERS,
    STEPS,
    WARNINGS,
    plan_employer_change,
)
from connectors.settings import PROJECT_ROOT

ILLEGAL = "started_without_permit_is_illegal_work"

CASES = [
    # holder, same_position, already_started, asker_is_employer,
    #   steps (code, actor) in order, warnings that must be there, warnings that must not, entry
    ("single_permit", True, False, False,
     [("apply_to_amend_single_permit", "foreigner"),
      ("notify_voivode_of_job_end_within_15_working_days", "foreigner"),
      ("start_only_after_amended_permit", "foreigner")],
     {"check_with_infoopt", "amendment_fee_uncertain", "eu_directive_not_transposed"}, {ILLEGAL},
     "change-employer-single-permit"),
    ("single_permit", False, True, True,
     [("apply_to_amend_single_permit", "foreigner"),
      ("notify_voivode_of_job_end_within_15_working_days", "foreigner"),
      ("start_only_after_amended_permit", "foreigner")],
     {ILLEGAL, "check_with_infoopt"}, set(), "change-employer-single-permit"),
    ("work_permit_visa", True, False, True,
     [("new_employer_applies_for_work_permit", "new_employer"),
      ("new_employer_uploads_contract_before_start", "new_employer"),
      ("start_only_after_new_permit", "foreigner"),
      ("previous_employer_notifies_voivode_if_work_ended_early", "previous_employer")],
     {"check_stay_allows_work", "check_with_infoopt", "previous_employer_deadline_uncertain"}, {ILLEGAL},
     "change-employer-work-permit-visa"),
    ("work_permit_visa", False, True, False,
     [("new_employer_applies_for_work_permit", "new_employer"),
      ("new_employer_uploads_contract_before_start", "new_employer"),
      ("start_only_after_new_permit", "foreigner"),
      ("previous_employer_notifies_voivode_if_work_ended_early", "previous_employer")],
     {ILLEGAL}, {"deadline_already_running"}, "change-employer-work-permit-visa"),
    ("declaration", True, False, False,
     [("previous_employer_reports_early_end_to_pup", "previous_employer"),
      ("new_employer_registers_declaration", "new_employer"),
      ("new_employer_uploads_contract_before_start", "new_employer"),
      ("start_only_after_declaration_registered", "foreigner"),
      ("new_employer_reports_start_to_pup_within_7_days", "new_employer")],
     {"declaration_only_for_am_by_md_ua"}, {ILLEGAL, "check_with_infoopt"}, "change-employer-declaration"),
    ("declaration", True, True, True,
     [("previous_employer_reports_early_end_to_pup", "previous_employer"),
      ("new_employer_registers_declaration", "new_employer"),
      ("new_employer_uploads_contract_before_start", "new_employer"),
      ("start_only_after_declaration_registered", "foreigner"),
      ("new_employer_reports_start_to_pup_within_7_days", "new_employer")],
     {ILLEGAL}, {"deadline_already_running"}, "change-employer-declaration"),
    ("free_access", True, False, False,
     [("no_permit_needed", "foreigner"), ("show_status_document_to_new_employer", "foreigner")],
     {"status_must_remain_valid"}, {ILLEGAL, "check_with_infoopt"}, "change-employer-free-access"),
    ("free_access", False, True, True,
     [("no_permit_needed", "foreigner"), ("show_status_document_to_new_employer", "foreigner")],
     set(), {ILLEGAL}, "change-employer-free-access"),
    ("blue_card_after_2025_06", True, False, False,
     [("no_new_permit_needed_blue_card", "foreigner"),
      ("notify_voivode_of_new_employer_within_15_working_days", "foreigner")],
     {"blue_card_salary_threshold"}, {ILLEGAL, "new_job_must_meet_blue_card_conditions", "check_with_infoopt"},
     "change-employer-blue-card"),
    ("blue_card_after_2025_06", False, True, False,
     [("no_new_permit_needed_blue_card", "foreigner"),
      ("notify_voivode_of_new_employer_within_15_working_days", "foreigner")],
     {"new_job_must_meet_blue_card_conditions", "blue_card_salary_threshold"}, {ILLEGAL},
     "change-employer-blue-card"),
    ("blue_card_before_2025_06", True, False, False,
     [("apply_to_amend_blue_card_permit", "foreigner"), ("start_only_after_amended_permit", "foreigner")],
     {"old_blue_card_rule_first_2_years", "check_with_infoopt"}, {ILLEGAL}, "change-employer-blue-card"),
    ("blue_card_before_2025_06", True, True, True,
     [("apply_to_amend_blue_card_permit", "foreigner"), ("start_only_after_amended_permit", "foreigner")],
     {ILLEGAL, "check_with_infoopt"}, set(), "change-employer-blue-card"),
    ("ukr_special_act", True, False, False,
     [("no_permit_needed", "foreigner"), ("new_employer_notifies_pup_within_7_days", "new_employer")],
     {"notification_is_free", "ukr_stay_until_2027_03_04", "non_ukr_transition_until_2029_03_04"},
     {ILLEGAL, "deadline_already_running", "check_with_infoopt"}, "change-employer-ukrainian-special-act"),
    ("ukr_special_act", False, True, True,
     [("no_permit_needed", "foreigner"), ("new_employer_notifies_pup_within_7_days", "new_employer")],
     {"deadline_already_running"}, {ILLEGAL}, "change-employer-ukrainian-special-act"),
]


@pytest.mark.parametrize(
    ("holder", "same_position", "started", "employer", "steps", "present", "absent", "entry"),
    CASES,
    ids=[f"{c[0]}-same{int(c[1])}-started{int(c[2])}-employer{int(c[3])}" for c in CASES],
)
def test_plan(holder, same_position, started, employer, steps, present, absent, entry):
    plan = plan_employer_change(holder, same_position=same_position, already_started=started,
                                asker_is_employer=employer)
    assert [(s.code, s.actor) for s in plan.steps] == steps
    assert present <= set(plan.warnings)
    assert not (absent & set(plan.warnings))
    assert plan.entry_id == entry
    assert plan.asker == ("employer" if employer else "foreigner")
    assert len(plan.warnings) == len(set(plan.warnings))


def test_illegal_work_warning_comes_first():
    plan = plan_employer_change("single_permit", same_position=True, already_started=True, asker_is_employer=False)
    assert plan.warnings[0] == ILLEGAL


@pytest.mark.parametrize(
    ("holder", "step", "deadline"),
    [
        ("single_permit", "notify_voivode_of_job_end_within_15_working_days", {"working_days": 15, "from": "job_end"}),
        ("blue_card_after_2025_06", "notify_voivode_of_new_employer_within_15_working_days",
         {"working_days": 15, "from": "employer_change"}),
        ("declaration", "new_employer_reports_start_to_pup_within_7_days", {"days": 7, "from": "work_start"}),
        ("ukr_special_act", "new_employer_notifies_pup_within_7_days", {"days": 7, "from": "work_start"}),
        # Uncertain in the fact sheet: no number.
        ("work_permit_visa", "previous_employer_notifies_voivode_if_work_ended_early", None),
        ("single_permit", "apply_to_amend_single_permit", None),
    ],
)
def test_deadlines_are_data(holder, step, deadline):
    plan = plan_employer_change(holder, same_position=True, already_started=False, asker_is_employer=False)
    found = {s.code: s for s in plan.steps}[step]
    assert (dict(found.deadline) if found.deadline is not None else None) == deadline


@pytest.mark.parametrize(
    ("holder", "fees"),
    [
        ("single_permit", ()),  # 220 vs 10 zł: uncertain, so no fee key
        ("work_permit_visa", ("work-permit-up-to-3-months", "work-permit-over-3-months")),
        ("declaration", ("work-declaration",)),
        ("free_access", ()),
        ("blue_card_after_2025_06", ()),
        ("blue_card_before_2025_06", ()),
        ("ukr_special_act", ()),
    ],
)
def test_fee_keys(holder, fees):
    plan = plan_employer_change(holder, same_position=True, already_started=False, asker_is_employer=False)
    assert plan.fee_procedures == fees


def test_uncertain_single_permit_fee_gives_check_with_infoopt_and_no_number():
    plan = plan_employer_change("single_permit", same_position=True, already_started=False, asker_is_employer=False)
    assert "check_with_infoopt" in plan.warnings
    assert all(not s.fee_procedures for s in plan.steps)


def test_every_holder_is_covered_and_consistent():
    procedures = yaml.safe_load((PROJECT_ROOT / "knowledge" / "data" / "procedures.yml").read_text(encoding="utf-8"))
    entries = {p.stem for p in (PROJECT_ROOT / "knowledge" / "entries").glob("*.yml")}
    assert {c[0] for c in CASES} == set(HOLDERS) == set(ENTRY_BY_HOLDER)
    for holder in HOLDERS:
        for started in (False, True):
            plan = plan_employer_change(holder, same_position=False, already_started=started, asker_is_employer=False)
            assert plan.entry_id in entries
            assert set(plan.fee_procedures) <= set(procedures["procedures"])
            assert all(s.actor in ACTORS and s.code in STEPS for s in plan.steps)
            assert set(plan.warnings) <= set(WARNINGS)
            assert plan.permit_needed == (ILLEGAL in plan.warnings if started else plan.permit_needed)


def test_unknown_holder():
    with pytest.raises(ValueError, match="unknown holder"):
        plan_employer_change("tourist", same_position=True, already_started=False, asker_is_employer=False)


def test_plan_is_frozen():
    plan = plan_employer_change("declaration", same_position=True, already_started=False, asker_is_employer=False)
    with pytest.raises(AttributeError):
        plan.steps = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        plan.steps[1].deadline["days"] = 1  # type: ignore[index]
