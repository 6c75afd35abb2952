"""Writes of standards: capability checked, validated (the error names the field and the rule),
saved atomically, audited, follow-up work (notifications) queued on commit. Split by concern;
import the functions from here.

library     standard_create, standard_update, standard_retire, standard_delete (always refused)
versions    version_create_draft, version_update, version_submit, version_approve, version_reject,
            version_activate, activate_due — the lifecycle draft → in review → approved → effective
            → superseded
drafts      clause_*, indicator_*, sla_term_* (add, update, remove) — a draft's contents
sla         fold_sla_terms — SLA terms become ticket SLA policy versions when a version is approved
proposals   proposal_create, proposal_raise_automatic (the KPI engine's review requests),
            proposal_approve, proposal_reject, proposal_withdraw
validation  every rule (thresholds in the indicator's direction, weights adding up to 100, …)
common      audited fields, the capability check, notifications after commit
"""

from sqm.standards.services.common import (
    CLAUSE_FIELDS,
    INDICATOR_FIELDS,
    PROPOSAL_FIELDS,
    STANDARD_FIELDS,
    TERM_FIELDS,
    VERSION_FIELDS,
)
from sqm.standards.services.drafts import (
    clause_add,
    clause_remove,
    clause_update,
    indicator_add,
    indicator_remove,
    indicator_update,
    sla_term_add,
    sla_term_remove,
    sla_term_update,
)
from sqm.standards.services.library import standard_create, standard_delete, standard_retire, standard_update
from sqm.standards.services.proposals import (
    proposal_approve,
    proposal_create,
    proposal_raise_automatic,
    proposal_reject,
    proposal_withdraw,
)
from sqm.standards.services.sla import fold_sla_terms
from sqm.standards.services.validation import (
    CODE_CHARS,
    HUNDRED,
    MAX_EVIDENCE,
    check_ready_for_review,
    check_thresholds,
    check_weights,
    default_unit,
)
from sqm.standards.services.versions import (
    activate_due,
    version_activate,
    version_approve,
    version_create_draft,
    version_reject,
    version_submit,
    version_update,
)

__all__ = [
    "CLAUSE_FIELDS",
    "CODE_CHARS",
    "HUNDRED",
    "INDICATOR_FIELDS",
    "MAX_EVIDENCE",
    "PROPOSAL_FIELDS",
    "STANDARD_FIELDS",
    "TERM_FIELDS",
    "VERSION_FIELDS",
    "activate_due",
    "check_ready_for_review",
    "check_thresholds",
    "check_weights",
    "clause_add",
    "clause_remove",
    "clause_update",
    "default_unit",
    "fold_sla_terms",
    "indicator_add",
    "indicator_remove",
    "indicator_update",
    "proposal_approve",
    "proposal_create",
    "proposal_raise_automatic",
    "proposal_reject",
    "proposal_withdraw",
    "sla_term_add",
    "sla_term_remove",
    "sla_term_update",
    "standard_create",
    "standard_delete",
    "standard_retire",
    "standard_update",
    "version_activate",
    "version_approve",
    "version_create_draft",
    "version_reject",
    "version_submit",
    "version_update",
]
