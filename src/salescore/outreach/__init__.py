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

from salescore.outreach._parsers import (
    parse_bool,
    parse_country,
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_int,
    parse_money,
)
from salescore.outreach.cadences import (
    ENROLLMENT_STATUS,
    STEP_CHANNELS,
    SUCCESSFUL_EXITS,
    Cadence,
    CadenceStep,
    CallResult,
    Enrollment,
    EnrollmentCreated,
    EnrollmentRepointed,
    EnrollmentStatus,
    ExitReason,
    NextStep,
    StepCompleted,
    StepHeld,
    StepKind,
    next_step,
    record_call,
)
from salescore.outreach.call_lists import CallList, CallListEntry, SkippedCall, call_list
from salescore.outreach.consent import (
    DIRECT_MARKETING,
    ConsentChanged,
    ConsentCreated,
    ConsentEntry,
    ConsentRecord,
    ConsentStatus,
    ContactPolicy,
    Decision,
    DoNotContactList,
    ObjectionRecorded,
    Purpose,
    RegistryCheck,
    apply_interaction,
    can_contact,
    carry_restrictions,
    person_zone,
)
from salescore.outreach.duplicates import (
    DuplicateReport,
    Match,
    MatchRules,
    duplicate_groups,
    find_duplicates,
)
from salescore.outreach.erasure import (
    ERASED,
    ERASURE_REASON,
    Erasure,
    ErasureReceipt,
    erase_aggregate,
    erase_person,
)
from salescore.outreach.imports import (
    LEAD_FIELDS,
    Column,
    ImportResult,
    LeadMapping,
    RejectedRow,
    import_leads,
    iter_import_leads,
)
from salescore.outreach.merges import (
    MERGE_FIELDS,
    Merge,
    MergeResult,
    MergeUndone,
    RecordsMerged,
    SurvivorPolicy,
    Take,
    UnmergeResult,
    merge_leads,
    unmerge,
)

__all__ = [
    "DIRECT_MARKETING",
    "ENROLLMENT_STATUS",
    "ERASED",
    "ERASURE_REASON",
    "LEAD_FIELDS",
    "MERGE_FIELDS",
    "STEP_CHANNELS",
    "SUCCESSFUL_EXITS",
    "Cadence",
    "CadenceStep",
    "CallList",
    "CallListEntry",
    "CallResult",
    "Column",
    "ConsentChanged",
    "ConsentCreated",
    "ConsentEntry",
    "ConsentRecord",
    "ConsentStatus",
    "ContactPolicy",
    "Decision",
    "DoNotContactList",
    "DuplicateReport",
    "Enrollment",
    "EnrollmentCreated",
    "EnrollmentRepointed",
    "EnrollmentStatus",
    "Erasure",
    "ErasureReceipt",
    "ExitReason",
    "ImportResult",
    "LeadMapping",
    "Match",
    "MatchRules",
    "Merge",
    "MergeResult",
    "MergeUndone",
    "NextStep",
    "ObjectionRecorded",
    "Purpose",
    "RecordsMerged",
    "RegistryCheck",
    "RejectedRow",
    "SkippedCall",
    "StepCompleted",
    "StepHeld",
    "StepKind",
    "SurvivorPolicy",
    "Take",
    "UnmergeResult",
    "apply_interaction",
    "call_list",
    "can_contact",
    "carry_restrictions",
    "duplicate_groups",
    "erase_aggregate",
    "erase_person",
    "find_duplicates",
    "import_leads",
    "iter_import_leads",
    "merge_leads",
    "next_step",
    "parse_bool",
    "parse_country",
    "parse_date",
    "parse_datetime",
    "parse_decimal",
    "parse_int",
    "parse_money",
    "person_zone",
    "record_call",
    "unmerge",
]
