"""Pure scoring rules of the Cloud of Trust method (section 8.5 of the brief).

Nothing here imports Django or touches the database: callers pass a catalogue
spec, a profile code and answers as plain dataclasses and get a ``Scorecard``
back. The web pages, the API, the exports and ``verify_export`` all call
``score`` so that every screen and file shows the same numbers.

The rules, in the order ``score`` applies them:

1. Effective level = min(claimed level, evidence cap), where the cap applies
   only to the profile's knock-out criteria. Unknown counts as 0; N/A is
   allowed only where the criterion says so and leaves the criterion out.
2. Pillar score = 100 * sum(w * level) / (4 * sum(w)) over the criteria that
   are not N/A, "as evidenced" (effective levels) and "as claimed".
3. Global score = sum(W_P * S_P) / sum(W_P) over pillars with a score, with the
   profile's pillar weights.
4. Pillar trust level = min effective level over its assurance-relevant
   criteria (those with a knock-out in some profile); overall trust level =
   min over the core pillars (weakest link).
5. Eligible iff every knock-out threshold of the profile is met; the highest
   profile passed is the strictest profile whose knock-outs all pass.

Scores are computed exactly with ``Decimal`` and rounded once, half up, to one
decimal when they leave the engine.

The rooms: ``inputs`` (the catalogue's rules and the answers, as plain data),
``results`` (the scorecard), ``compiled`` (a catalogue laid out by position,
built once) and ``rules`` (``score`` and ``rank``).
"""

from .compiled import CompiledCatalogue, CompiledProfile, compile_catalogue
from .inputs import (
    HUNDRED,
    MAX_LEVEL,
    MIN_LEVEL,
    SCORE_PLACES,
    ZERO,
    AnswerInput,
    CatalogueSpec,
    CriterionSpec,
    PillarSpec,
    ProfileSpec,
    RankInput,
    ScoringError,
    round_score,
)
from .presumptions import CertificateInput, Presumption, SchemeSpec, presumed_levels
from .results import (
    CriterionResult,
    KnockOut,
    PillarResult,
    RankedEntry,
    Scorecard,
    unknown_share,
)
from .rules import rank, score

__all__ = [
    "CertificateInput",
    "Presumption",
    "SchemeSpec",
    "presumed_levels",
    "HUNDRED",
    "MAX_LEVEL",
    "MIN_LEVEL",
    "SCORE_PLACES",
    "ZERO",
    "AnswerInput",
    "CatalogueSpec",
    "CompiledCatalogue",
    "CompiledProfile",
    "CriterionResult",
    "CriterionSpec",
    "KnockOut",
    "PillarResult",
    "PillarSpec",
    "ProfileSpec",
    "RankInput",
    "RankedEntry",
    "Scorecard",
    "ScoringError",
    "compile_catalogue",
    "unknown_share",
    "rank",
    "round_score",
    "score",
]
