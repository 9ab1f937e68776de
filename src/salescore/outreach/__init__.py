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
    from salescore.outreach._parsers import (
        parse_bool as parse_bool,
        parse_country as parse_country,
        parse_date as parse_date,
        parse_datetime as parse_datetime,
        parse_decimal as parse_decimal,
        parse_int as parse_int,
        parse_money as parse_money,
    )
    from salescore.outreach.cadences import (
        ENROLLMENT_STATUS as ENROLLMENT_STATUS,
        STEP_CHANNELS as STEP_CHANNELS,
        SUCCESSFUL_EXITS as SUCCESSFUL_EXITS,
        Cadence as Cadence,
        CadenceStep as CadenceStep,
        CallResult as CallResult,
        Enrollment as Enrollment,
        EnrollmentCreated as EnrollmentCreated,
        EnrollmentRepointed as EnrollmentRepointed,
        EnrollmentStatus as EnrollmentStatus,
        ExitReason as ExitReason,
        NextStep as NextStep,
        StepCompleted as StepCompleted,
        StepHeld as StepHeld,
        StepKind as StepKind,
        next_step as next_step,
        record_call as record_call,
    )
    from salescore.outreach.call_lists import (
        CallList as CallList,
        CallListEntry as CallListEntry,
        SkippedCall as SkippedCall,
        call_list as call_list,
    )
    from salescore.outreach.consent import (
        DIRECT_MARKETING as DIRECT_MARKETING,
        ConsentChanged as ConsentChanged,
        ConsentCreated as ConsentCreated,
        ConsentEntry as ConsentEntry,
        ConsentRecord as ConsentRecord,
        ConsentStatus as ConsentStatus,
        ContactPolicy as ContactPolicy,
        Decision as Decision,
        DoNotContactList as DoNotContactList,
        ObjectionRecorded as ObjectionRecorded,
        Purpose as Purpose,
        RegistryCheck as RegistryCheck,
        apply_interaction as apply_interaction,
        can_contact as can_contact,
        carry_restrictions as carry_restrictions,
        person_zone as person_zone,
    )
    from salescore.outreach.duplicates import (
        DuplicateReport as DuplicateReport,
        Match as Match,
        MatchRules as MatchRules,
        duplicate_groups as duplicate_groups,
        find_duplicates as find_duplicates,
    )
    from salescore.outreach.erasure import (
        ERASED as ERASED,
        ERASURE_REASON as ERASURE_REASON,
        Erasure as Erasure,
        ErasureReceipt as ErasureReceipt,
        erase_aggregate as erase_aggregate,
        erase_person as erase_person,
    )
    from salescore.outreach.imports import (
        LEAD_FIELDS as LEAD_FIELDS,
        Column as Column,
        ImportResult as ImportResult,
        LeadMapping as LeadMapping,
        RejectedRow as RejectedRow,
        import_leads as import_leads,
        iter_import_leads as iter_import_leads,
    )
    from salescore.outreach.merges import (
        ACCOUNT_MERGE_FIELDS as ACCOUNT_MERGE_FIELDS,
        CONTACT_MERGE_FIELDS as CONTACT_MERGE_FIELDS,
        MERGE_FIELDS as MERGE_FIELDS,
        Merge as Merge,
        MergeKind as MergeKind,
        MergeResult as MergeResult,
        MergeUndone as MergeUndone,
        RecordsMerged as RecordsMerged,
        SurvivorPolicy as SurvivorPolicy,
        Take as Take,
        UnmergeResult as UnmergeResult,
        merge_accounts as merge_accounts,
        merge_contacts as merge_contacts,
        merge_leads as merge_leads,
        unmerge as unmerge,
    )

_EXPORTS = exports(
    {
        "salescore.outreach._parsers": (
            "parse_bool",
            "parse_country",
            "parse_date",
            "parse_datetime",
            "parse_decimal",
            "parse_int",
            "parse_money",
        ),
        "salescore.outreach.cadences": (
            "Cadence",
            "CadenceStep",
            "CallResult",
            "ENROLLMENT_STATUS",
            "Enrollment",
            "EnrollmentCreated",
            "EnrollmentRepointed",
            "EnrollmentStatus",
            "ExitReason",
            "NextStep",
            "STEP_CHANNELS",
            "SUCCESSFUL_EXITS",
            "StepCompleted",
            "StepHeld",
            "StepKind",
            "cadences",
            "next_step",
            "record_call",
        ),
        "salescore.outreach.call_lists": (
            "CallList",
            "CallListEntry",
            "SkippedCall",
            "call_list",
            "call_lists",
        ),
        "salescore.outreach.consent": (
            "ConsentChanged",
            "ConsentCreated",
            "ConsentEntry",
            "ConsentRecord",
            "ConsentStatus",
            "ContactPolicy",
            "DIRECT_MARKETING",
            "Decision",
            "DoNotContactList",
            "ObjectionRecorded",
            "Purpose",
            "RegistryCheck",
            "apply_interaction",
            "can_contact",
            "carry_restrictions",
            "consent",
            "person_zone",
        ),
        "salescore.outreach.duplicates": (
            "DuplicateReport",
            "Match",
            "MatchRules",
            "duplicate_groups",
            "duplicates",
            "find_duplicates",
        ),
        "salescore.outreach.erasure": (
            "ERASED",
            "ERASURE_REASON",
            "Erasure",
            "ErasureReceipt",
            "erase_aggregate",
            "erase_person",
            "erasure",
        ),
        "salescore.outreach.imports": (
            "Column",
            "ImportResult",
            "LEAD_FIELDS",
            "LeadMapping",
            "RejectedRow",
            "import_leads",
            "imports",
            "iter_import_leads",
        ),
        "salescore.outreach.merges": (
            "ACCOUNT_MERGE_FIELDS",
            "CONTACT_MERGE_FIELDS",
            "MERGE_FIELDS",
            "MergeKind",
            "merge_accounts",
            "merge_contacts",
            "Merge",
            "MergeResult",
            "MergeUndone",
            "RecordsMerged",
            "SurvivorPolicy",
            "Take",
            "UnmergeResult",
            "merge_leads",
            "merges",
            "unmerge",
        ),
    }
)

__all__ = star(_EXPORTS)
__getattr__, __dir__ = attach(__name__, _EXPORTS)
