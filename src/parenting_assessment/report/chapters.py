"""Which indicator goes in which chapter, and which are the headline figures.

The catalogue's domains (living, caregivers, ecd, education, protection) do not match the
questions policymakers ask: supervision belongs with discipline (both are about how children
are watched and corrected), and a caregiver's burden and interest in a parenting group are
the caregiver's own needs. The chapters below regroup them; an indicator added to the catalogue
later, and not listed here, falls into the chapter of its domain, so nothing is ever dropped.
"""

from __future__ import annotations

from parenting_assessment.indicators.catalogue import Catalogue, Indicator

CHAPTERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("living", ("lb_parent_abroad", "lb_parent_abroad_mother_only", "lb_parent_abroad_father_only",
                "lb_parent_abroad_both", "lb_neither_parent", "lb_orphan_any",
                "lb_contact_weekly", "lb_remittance_3m")),
    ("caregivers", ("care_grandparent_primary", "care_primary_age60plus")),
    ("ecd", ("ecd_support_learning_any", "ecd_support_learning_father",
             "ecd_support_learning_mother", "ecd_books_3plus", "ecd_playthings_2plus",
             "ecd_ecdi2030_on_track")),
    ("supervision", ("care_supervision_inadequate", "prot_discipline_violent",
                     "prot_discipline_severe", "prot_discipline_nonviolent_only",
                     "prot_discipline_psych", "prot_discipline_physical_any",
                     "prot_child_labour")),
    ("registration", ("prot_birth_registered", "edu_ece_attendance", "edu_school_attendance")),
    ("cg_needs", ("care_burden_high", "care_interest_parenting_group",
                  "care_interest_parenting_group_maybe")),
)
DOMAIN_CHAPTER = {"living": "living", "caregivers": "caregivers", "ecd": "ecd",
                  "education": "registration", "protection": "supervision"}
HEADLINE = ("lb_parent_abroad", "lb_neither_parent", "care_grandparent_primary",
            "care_supervision_inadequate", "ecd_support_learning_any", "prot_birth_registered",
            "prot_discipline_violent", "care_interest_parenting_group")
DISTRICT_HEADLINE = ("lb_parent_abroad", "care_grandparent_primary", "ecd_support_learning_any",
                     "prot_discipline_violent")


def chapter_indicators(cat: Catalogue) -> list[tuple[str, list[Indicator]]]:
    """Chapters in order, each with its catalogue indicators (unknown ids skipped)."""
    known = {i.id: i for i in cat.indicators}
    out = [(key, [known[i] for i in ids if i in known]) for key, ids in CHAPTERS]
    placed = {i for _, ids in CHAPTERS for i in ids}
    for ind in cat.indicators:
        if ind.id not in placed:
            target = DOMAIN_CHAPTER.get(ind.domain, "living")
            next(inds for key, inds in out if key == target).append(ind)
    return [(key, inds) for key, inds in out if inds]


def headline(cat: Catalogue, ids: tuple[str, ...] = HEADLINE) -> list[Indicator]:
    known = {i.id: i for i in cat.indicators}
    return [known[i] for i in ids if i in known]
