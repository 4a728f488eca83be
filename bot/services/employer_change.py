"""The employer-change path: what has to happen, in order, when a foreigner changes employer.

Inputs are codes and yes/no answers; the result is codes and data. The sentences are in
``bot/texts/employer_change.yml`` (``holders.<holder>``, ``steps.<step>``,
``warnings.<warning>``, ``actors.<actor>.<asker>``). Fees are keys into
``knowledge/data/procedures.yml`` (read them with :mod:`bot.services.procedures`).

Holder types (``holder``):

============================  ===============================================================
``single_permit``             temporary residence and work permit (zezwolenie jednolite)
``work_permit_visa``          work permit, staying on a visa or visa-free
``declaration``               declaration on entrusting work (oświadczenie)
``free_access``               free access to the labour market (permanent residence, EU
                              long-term resident, eligible full-time student, graduate, ...)
``blue_card_after_2025_06``   EU Blue Card issued from 1 June 2025
``blue_card_before_2025_06``  EU Blue Card issued before 1 June 2025
``ukr_special_act``           Ukrainian citizen working on the PUP notification (UKR status)
============================  ===============================================================

Only rules from /work/shared/fact-sheet.md are used (rows 6, 10a, 10b, 11, 12a, 12b, 13, 14a,
15a, 15b, 16, 17b, 29a, 29b; changes 2, 3, 5, 9, 11). Where the sheet marks a rule as
uncertain, the step carries no number and the result has the warning ``check_with_infoopt``:
the fee for amending a single permit (220 zł vs 10 zł), the deadline for the previous
employer's notice on a work permit, and what applies to an old Blue Card after its first two years.

``same_position`` (is the new job the same kind of work): the sheet has no rule on changing
employer that depends on it, so the steps are the same either way; for an EU Blue Card a
different job adds ``new_job_must_meet_blue_card_conditions`` as a reminder that the new
job itself must be highly qualified and pay the threshold. ``asker_is_employer`` changes no
step either: it sets ``asker``, so the renderer can address the asker ("you" / "your
employee" / "your new employer", see ``actors`` in the texts).

Example::

    >>> r = plan_employer_change("single_permit", same_position=True,
    ...                          already_started=False, asker_is_employer=False)
    >>> [s.code for s in r.steps]
    ['apply_to_amend_single_permit', 'notify_voivode_of_job_end_within_15_working_days', 'start_only_after_amended_permit']
    >>> "check_with_infoopt" in r.warnings
    True
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

__all__ = [
    "HOLDERS",
    "ACTORS",
    "STEPS",
    "WARNINGS",
    "ENTRY_BY_HOLDER",
    "Step",
    "EmployerChangePlan",
    "plan_employer_change",
]

HOLDERS: Final = (
    "single_permit",
    "work_permit_visa",
    "declaration",
    "free_access",
    "blue_card_after_2025_06",
    "blue_card_before_2025_06",
    "ukr_special_act",
)

# Who does a step.
ACTORS: Final = ("foreigner", "new_employer", "previous_employer")

ENTRY_BY_HOLDER: Final = MappingProxyType({
    "single_permit": "change-employer-single-permit",
    "work_permit_visa": "change-employer-work-permit-visa",
    "declaration": "change-employer-declaration",
    "free_access": "change-employer-free-access",
    "blue_card_after_2025_06": "change-employer-blue-card",
    "blue_card_before_2025_06": "change-employer-blue-card",
    "ukr_special_act": "change-employer-ukrainian-special-act",
})


def _deadline(**parts: int | str) -> Mapping[str, int | str]:
    return MappingProxyType(dict(parts))


@dataclass(frozen=True)
class Step:
    """One step of the path.

    Attributes:
        code: what to do (a key of ``steps`` in the texts).
        actor: who does it, one of :data:`ACTORS`.
        deadline: the time limit as data, e.g. ``{"working_days": 15, "from": "job_end"}``,
            or ``None`` when the sources give none (or it is uncertain: see the warnings).
        fee_procedures: keys of ``knowledge/data/procedures.yml`` whose fees apply; empty when
            the step is free or its fee is uncertain.
    """

    code: str
    actor: str
    deadline: Mapping[str, int | str] | None = None
    fee_procedures: tuple[str, ...] = ()


@dataclass(frozen=True)
class EmployerChangePlan:
    """The outcome of :func:`plan_employer_change`.

    Attributes:
        holder: the holder type checked.
        asker: ``"employer"`` or ``"foreigner"``: who is asking (to address them in the texts).
        permit_needed: whether the new employer can employ the person only after a new or
            amended permit or a registered declaration.
        steps: the steps in the order they happen.
        warnings: warning codes (a key of ``warnings`` in the texts), most important first.
        entry_id: the knowledge entry to read for details.
        fee_procedures: all procedure keys of the steps' fees, in step order.
    """

    holder: str
    asker: str
    permit_needed: bool
    steps: tuple[Step, ...]
    warnings: tuple[str, ...]
    entry_id: str
    fee_procedures: tuple[str, ...] = field(default=())


# --- the rules, one table per holder type ----------------------------------------------------

@dataclass(frozen=True)
class _Path:
    permit_needed: bool
    steps: tuple[Step, ...]
    warnings: tuple[str, ...]


_PATHS: Final[Mapping[str, _Path]] = MappingProxyType({
    # Fact sheet 15a, 6, 8i, 15b; changes 9 and 11.
    "single_permit": _Path(
        permit_needed=True,
        steps=(
            Step("apply_to_amend_single_permit", "foreigner"),  # fee 220 vs 10 zł: uncertain (8i)
            Step("notify_voivode_of_job_end_within_15_working_days", "foreigner",
                 _deadline(working_days=15, **{"from": "job_end"})),
            Step("start_only_after_amended_permit", "foreigner"),
        ),
        warnings=("amendment_fee_uncertain", "check_with_infoopt", "grace_period_30_days_once",
                  "no_amendment_for_employer_rename_or_takeover", "eu_directive_not_transposed"),
    ),
    # Fact sheet 16, 10a, 10b, 12b, 11.
    "work_permit_visa": _Path(
        permit_needed=True,
        steps=(
            Step("new_employer_applies_for_work_permit", "new_employer",
                 fee_procedures=("work-permit-up-to-3-months", "work-permit-over-3-months")),
            Step("new_employer_uploads_contract_before_start", "new_employer",
                 _deadline(before="work_start")),
            Step("start_only_after_new_permit", "foreigner"),
            # 2-month triggers are confirmed; the notice deadline under the 2025 act is not (12b).
            Step("previous_employer_notifies_voivode_if_work_ended_early", "previous_employer"),
        ),
        warnings=("check_stay_allows_work", "previous_employer_deadline_uncertain", "check_with_infoopt",
                  "declaration_possible_for_am_by_md_ua"),
    ),
    # Fact sheet 11, 12a; change 2.
    "declaration": _Path(
        permit_needed=True,
        steps=(
            Step("previous_employer_reports_early_end_to_pup", "previous_employer"),
            Step("new_employer_registers_declaration", "new_employer",
                 _deadline(before="work_start"), ("work-declaration",)),
            Step("new_employer_uploads_contract_before_start", "new_employer",
                 _deadline(before="work_start")),
            Step("start_only_after_declaration_registered", "foreigner"),
            Step("new_employer_reports_start_to_pup_within_7_days", "new_employer",
                 _deadline(days=7, **{"from": "work_start"})),
        ),
        warnings=("declaration_only_for_am_by_md_ua",),
    ),
    # Fact sheet 29a, 29b, 14b; change 6.
    "free_access": _Path(
        permit_needed=False,
        steps=(
            Step("no_permit_needed", "foreigner"),
            Step("show_status_document_to_new_employer", "foreigner"),
        ),
        warnings=("status_must_remain_valid", "student_exemption_narrowed"),
    ),
    # Fact sheet 17b, 17a; change 5.
    "blue_card_after_2025_06": _Path(
        permit_needed=False,
        steps=(
            Step("no_new_permit_needed_blue_card", "foreigner"),
            Step("notify_voivode_of_new_employer_within_15_working_days", "foreigner",
                 _deadline(working_days=15, **{"from": "employer_change"})),
        ),
        warnings=("blue_card_salary_threshold", "blue_card_unemployment_3_months", "old_rule_on_some_pages"),
    ),
    # Fact sheet 17b (cards issued before 1 June 2025 keep the old rule).
    "blue_card_before_2025_06": _Path(
        permit_needed=True,
        steps=(
            Step("apply_to_amend_blue_card_permit", "foreigner"),
            Step("start_only_after_amended_permit", "foreigner"),
        ),
        warnings=("old_blue_card_rule_first_2_years", "check_with_infoopt"),
    ),
    # Fact sheet 13, 14a; change 3.
    "ukr_special_act": _Path(
        permit_needed=False,
        steps=(
            Step("no_permit_needed", "foreigner"),
            Step("new_employer_notifies_pup_within_7_days", "new_employer",
                 _deadline(days=7, **{"from": "work_start"})),
        ),
        warnings=("notification_is_free", "ukr_stay_until_2027_03_04", "non_ukr_transition_until_2029_03_04"),
    ),
})

# Every step and warning code (texts: employer_change.yml ``steps`` / ``warnings``).
STEPS: Final = tuple(dict.fromkeys(s.code for p in _PATHS.values() for s in p.steps))
WARNINGS: Final = (
    "started_without_permit_is_illegal_work",
    "deadline_already_running",
    "new_job_must_meet_blue_card_conditions",
    *dict.fromkeys(w for p in _PATHS.values() for w in p.warnings),
)


def plan_employer_change(
    holder: str,
    *,
    same_position: bool,
    already_started: bool,
    asker_is_employer: bool,
) -> EmployerChangePlan:
    """The steps for a change of employer.

    Args:
        holder: one of :data:`HOLDERS`.
        same_position: whether the new job is the same kind of work as the old one.
        already_started: whether the person already works for the new employer.
        asker_is_employer: whether the person asking is the (new) employer.

    Returns:
        An :class:`EmployerChangePlan`.

    Raises:
        ValueError: unknown holder type.
    """
    if holder not in _PATHS:
        raise ValueError(f"unknown holder type {holder!r}; expected one of {', '.join(HOLDERS)}")
    path = _PATHS[holder]
    warnings: list[str] = []
    if already_started and path.permit_needed:
        warnings.append("started_without_permit_is_illegal_work")
    if already_started and not path.permit_needed and any(
            s.deadline and s.deadline.get("from") == "work_start" for s in path.steps):
        warnings.append("deadline_already_running")
    if holder == "blue_card_after_2025_06" and not same_position:
        warnings.append("new_job_must_meet_blue_card_conditions")
    warnings.extend(w for w in path.warnings if w not in warnings)
    fees = tuple(dict.fromkeys(key for s in path.steps for key in s.fee_procedures))
    return EmployerChangePlan(
        holder=holder,
        asker="employer" if asker_is_employer else "foreigner",
        permit_needed=path.permit_needed,
        steps=path.steps,
        warnings=tuple(warnings),
        entry_id=ENTRY_BY_HOLDER[holder],
        fee_procedures=fees,
    )
