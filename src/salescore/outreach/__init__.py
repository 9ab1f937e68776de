"""Lead generation and outreach, pure like the rest of the core.

* :mod:`~salescore.outreach.imports`: importing lead lists (rows in, leads
  and rejected rows out), with lenient parsers for messy cells;
* :mod:`~salescore.outreach.duplicates` and :mod:`~salescore.outreach.merges`:
  finding duplicates by blocking and fuzzy names, merging them and undoing a
  merge exactly;
* :mod:`~salescore.outreach.consent`: consent per channel and purpose,
  objections, do-not-contact lists, calling hours, and :func:`can_contact`;
* :mod:`~salescore.outreach.erasure`: forgetting a person;
* :mod:`~salescore.outreach.cadences` and :mod:`~salescore.outreach.call_lists`:
  outreach sequences, enrollments, cold-call outcomes and a rep's call list.

Country names need the optional ``pycountry`` package and duplicates need
``rapidfuzz`` (both in the extra ``salescore[outreach]``); national phone
numbers and zones from numbers need ``phonenumbers`` (``salescore[phone]``).
They are imported only when used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from salescore._lazy import attach, exports, star

if TYPE_CHECKING:
    from salescore.outreach._parsers import *
    from salescore.outreach.cadences import *
    from salescore.outreach.call_lists import *
    from salescore.outreach.consent import *
    from salescore.outreach.duplicates import *
    from salescore.outreach.erasure import *
    from salescore.outreach.imports import *
    from salescore.outreach.merges import *

# Module → the names offered from it, space-separated (a module's own name offers the module).
_EXPORTS = exports(
    {
        "salescore.outreach._parsers": (
            "parse_bool parse_country parse_date parse_datetime parse_decimal parse_int parse_money"
        ),
        "salescore.outreach.cadences": (
            "Cadence CadenceStep CallResult ENROLLMENT_STATUS Enrollment EnrollmentCreated"
            " EnrollmentRepointed EnrollmentStatus ExitReason NextStep STEP_CHANNELS"
            " SUCCESSFUL_EXITS StepCompleted StepHeld StepKind cadences next_step record_call"
        ),
        "salescore.outreach.call_lists": (
            "CallList CallListEntry SkippedCall call_list call_lists"
        ),
        "salescore.outreach.consent": (
            "ConsentChanged ConsentCreated ConsentEntry ConsentRecord ConsentStatus"
            " ContactPolicy DIRECT_MARKETING Decision DoNotContactList ObjectionRecorded"
            " Purpose RegistryCheck apply_interaction can_contact carry_restrictions consent"
            " person_zone"
        ),
        "salescore.outreach.duplicates": (
            "DuplicateReport Match MatchRules duplicate_groups duplicates find_duplicates"
        ),
        "salescore.outreach.erasure": (
            "ERASED ERASURE_REASON Erasure ErasureReceipt erase_aggregate erase_person erasure"
            " named_after"
        ),
        "salescore.outreach.imports": (
            "Column ImportResult LEAD_FIELDS LeadMapping RejectedRow import_leads imports"
            " iter_import_leads"
        ),
        "salescore.outreach.merges": (
            "ACCOUNT_MERGE_FIELDS CONTACT_MERGE_FIELDS MERGE_FIELDS MergeKind merge_accounts"
            " merge_contacts Merge MergeResult MergeUndone RecordsMerged SurvivorPolicy Take"
            " UnmergeResult merge_leads merges unmerge"
        ),
    }
)

__all__ = star(_EXPORTS)
__getattr__, __dir__ = attach(__name__, _EXPORTS)
