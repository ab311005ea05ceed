"""The cue table: the wordings that make a sentence worth suggesting as a tracked claim, the kind
of claim each one signals, and the wordings that make a sentence less likely to be one.

Each row is a cue: a name (shown to the editor as the reason for a suggestion), the kind it
signals, a weight (how sure the wording alone makes us, 0..1), a pattern and an example that it
must match. Patterns are written in lower case and run on the passage's `lowered_copy` (plain
quotes and dashes, A-Z lowered). The strongest cue decides the kind; dampers lower the score of
opinion, caveats, weather, background figures and court reports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["commitment", "allegation", "proposal"]
# A reply: a denial or a rejection of an allegation, suggested as the reply it is.
SuggestedKind = Kind | Literal["reply"]


def _compile(pattern: str) -> tuple[re.Pattern[str], bool]:
    """A pattern opening with a word boundary is compiled without it, and the boundary checked
    on each match: Python's re scans far faster for a pattern that opens with plain letters."""
    if pattern.startswith(r"\b"):
        return re.compile(pattern[2:]), True
    return re.compile(pattern), False


def _first(regex: re.Pattern[str], bounded: bool, lowered: str, start: int, end: int) -> int | None:
    for match in regex.finditer(lowered, start, end):
        at = match.start()
        if not bounded or at == 0 or not (lowered[at - 1].isalnum() or lowered[at - 1] == "_"):
            return at
    return None


@dataclass(frozen=True)
class Cue:
    name: str
    kind: SuggestedKind
    weight: float
    pattern: str
    example: str
    # The actor is named after the cue ("condemned Ofsted for ..."), not before it.
    actor_after: bool = False
    # Read only in a row of a table whose first line names its actions and when each is due
    # ("Action | Lead | Target date"): the table, not the row's words, makes it a claim.
    in_action_table: bool = False
    _regex: tuple[re.Pattern[str], bool] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_regex", _compile(self.pattern))

    def find(self, lowered: str, start: int = 0, end: int | None = None) -> int | None:
        """Where the cue first matches in lowered[start:end], or None."""
        return _first(*self._regex, lowered, start, len(lowered) if end is None else end)


@dataclass(frozen=True)
class Damper:
    name: str
    penalty: float
    pattern: str
    example: str
    _regex: tuple[re.Pattern[str], bool] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_regex", _compile(self.pattern))

    def find(self, lowered: str, start: int = 0, end: int | None = None) -> int | None:
        return _first(*self._regex, lowered, start, len(lowered) if end is None else end)


# What a public body says it will do, in the active ("will recruit") and the passive ("will be
# recruited"). Kept to verbs of doing: "will announce", "will help", "will protest" are not
# commitments.
DO = (
    r"(?:recruit|hire|employ|invest|spend|fund|build|re-?build|repair|fix|resurface|deliver"
    r"|provide|re-?open|open|create|introduce|launch|establish|set up|publish|investigate"
    r"|appoint|train|install|complete|replace|upgrade|expand|extend|increase|double|treble"
    r"|reduce|cut|halve|end|scrap|deploy|allocate|commission|bring in|give|offer|pay"
    r"|compensate|refund|protect|tackle|support|restore|clear|hit|achieve|guarantee"
    r"|co-?operate|work with|respond|review|improve|ensure|fill|hold \w+ to account|return"
    r"|abolish|freeze|meet (?:\w+ )?(?:\w+ )?(?:targets?|deadlines?|standards?|demand)"
    r"|cap|lower|raise|add|put|make sure|carry out|set aside|ring-fence|consult|keep|stop"
    r"|decide|report|write to|bring forward|set out|assess|monitor|apologi[sz]e|retrain|receive"
    r"|patrol|run|buy|purchase|order|staff|take over|transfer|lift|consider|begin|start|back)"
)
DONE = (
    r"(?:recruited|hired|employed|invested|spent|funded|built|rebuilt|repaired|fixed"
    r"|resurfaced|delivered|provided|opened|reopened|created|introduced|launched|established"
    r"|set up|published|investigated|appointed|trained|installed|completed|replaced|upgraded"
    r"|expanded|extended|increased|doubled|reduced|cut|halved|ended|scrapped|deployed"
    r"|allocated|commissioned|given|offered|paid|compensated|refunded|restored|cleared"
    r"|filled|held|returned|abolished|frozen|capped|raised|added|put in place|carried out"
    r"|on duty|on patrol|in place|in post|available|consulted|reviewed|protected|kept|made|done"
    r"|finished)"
)
SOFTENER = r"(?:(?:also|now|then|soon|still|immediately|urgently|personally|fully|further|all)\s+)?"

CUES: tuple[Cue, ...] = (
    # --- commitments: what a body has promised, or says it is doing
    Cue("pledged", "commitment", 0.9,
        r"\b(?<!broken )(?<!every )(?<!costed her )(?<!costed his )(?<!costed their )"
        r"(?<!election )(?<!manifesto )(?<!despite )(?<!written )(?<!than )"
        r"(?:pledg(?:e|es|ed|ing)|promis(?:e|es|ed|ing)|vow(?:s|ed|ing)?"
        r"|(?<!the )(?<!a )guarantee[sd]?)\b(?!\s+(?:cost|costs|are|is|below|above)\b)",
        "The government has pledged £1.2m"),
    # A body's decision, in its minutes: "RESOLVED that:", "The cabinet agreed to:".
    Cue("resolved", "commitment", 0.85,
        r"\b(?:resolved\s*(?:that\b|:|,|-)|(?:agreed|decided|voted)\s+(?:unanimously\s+)?(?:to|that)\b)"
        # Resolving to ask someone else is a request, not the body's own undertaking.
        r"(?!\s*(?:that\s+)?(?:to\s+)?(?:invite|ask|request|urge|write to|lobby|press)\b)"
        r"|\baccept(?:s|ed)? (?:the|its|all|these|those)\s+(?:[\w']+\s+){0,4}?recommendations\b"
        r"|\baccept(?:s|ed)? (?:a|the|its|their|our)\s+(?:[\w']+\s+){0,2}?recommendation\s+that\b"
        # An action log's line: "Action 2: Commissioner to provide a breakdown by 30 November".
        r"|\baction\s+(?:point\s+|item\s+)?\d+\s*[:.\u2013-]\s*[\w ,'-]{2,60}?\s+to\s+[a-z]+",
        "RESOLVED that the programme be approved"),
    Cue("will by a deadline", "commitment", 0.8,
        r"(?:\b(?:will|would|shall)|'ll)\s+(?!not\b)(?:[\w'-]+\s+){1,10}?"
        r"(?:by|before|within|no later than)\s+"
        r"(?:the end of|\d|(?:january|february|march|april|may|june|july|august|september|october"
        r"|november|december|spring|summer|autumn|winter)\b|(?:a|an|one|two|three|four|five|six"
        r"|seven|eight|nine|ten|twelve|\d+)\s+(?:days?|weeks?|months?|years?)\b)",
        "Councils will receive their allocations by 30 June"),
    Cue("committed", "commitment", 0.85,
        r"\bundert(?:ake|akes|ook|aken|aking)\s+to\b"
        r"|\b(?:the|this|that) (?:money|funding|cost|costs) (?:will|would) (?:come from|be (?:paid"
        r" for|funded|met) (?:from|by|through|out of))\b"
        r"|\bcommit(?:s|ted|ments?)?\s+(?:itself\s+|themselves\s+)?"
        r"(?:to\b|£|\$|€|\d|(?:an?\s+)?(?:extra|additional|further|more|new)\b"
        r"|(?:one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|forty|fifty|sixty)\s)",
        "I have committed 62 additional staff"),
    Cue("initiatives to", "commitment", 0.85,
        r"\b(?:initiatives?|undertakings?|commitments?)\s+(?:to|that)\b",
        "the Government's initiatives to prioritise CSE"),
    Cue("first job will be", "commitment", 0.8,
        r"\b(?:first|main|top|key|biggest|immediate)\s+(?:job|task|priority|aim|goal)\s+"
        r"(?:will be|is|would be)\s+to\b"
        r"|\b(?:our|my|its|their|the (?:council|trust|government|force)'s)\s+(?:ambition|aim|goal"
        r"|intention|commitment|priority)\s+is\s+(?:to|that|for)\b"
        r"|\bplans are (?:now\s+)?in place to\b",
        "his first job will be to re-build the reputation"),
    Cue("I plan to", "commitment", 0.8,
        r"\b(?:i|we|it|they)\s+(?:now\s+|also\s+)?(?:plan|plans|intend|intends)\s+to\b",
        "The care board said it plans to fund two cars"),
    Cue("I will", "commitment", 0.8,
        r"\b(?:i|we)\s+(?:will|shall|'ll)\b(?!\s+(?:see|wait|have to|need|not|never|ask|press|urge"
        r"|lobby|call|campaign|demand|push|be back|continue to (?:update|keep|monitor|engage))\b)",
        "I will do whatever I can"),
    Cue("will do", "commitment", 0.75,
        rf"\b(?:will|shall|(?:is|are)\s+(?:also\s+|now\s+)?(?:going|set)\s+to|is to|are to)\s+"
        rf"{SOFTENER}{DO}\b",
        "The council will recruit six inspectors"),
    Cue("will be done", "commitment", 0.75,
        rf"\b(?:will|is to|are to)\s+{SOFTENER}be\s+{SOFTENER}{DONE}\b",
        "Sixty additional officers will be on duty"),
    Cue("said it would", "commitment", 0.75,
        rf"\b(?:said|says|say|told|confirmed|announced|agreed|insisted|stated)\s+(?:that\s+)?"
        rf"(?:it|they|he|she|the\s+\w+(?:\s+\w+){{0,2}})\s+(?:would|will)\s+{SOFTENER}"
        rf"(?:{DO}|be\s+{DONE})\b"
        r"|\bi can (?:now\s+)?confirm\b",
        "the IPCC said it would investigate 10 officers"),
    Cue("would do", "commitment", 0.7,
        rf"\bwould\s+{SOFTENER}(?:{DO}|be\s+{DONE})\b",
        "the trust would open a new 24-bed ward"),
    # What a body says it will not do: close, cut, appeal, charge.
    Cue("will not close", "commitment", 0.7,
        r"\b(?:will|shall|would)\s+not\s+(?:seek\s+to\s+|be\s+)?(?:close|cut|appeal|raise|increase"
        r"|charge|sell|reduce|proceed|privati[sz]e|scrap|axe|add|taking|appealing|closing|cutting"
        r"|seeking)\b"
        r"|\bno \w+ (?:will|would) (?:close|be closed|lose|be cut|be sold)\b"
        r"|\b(?:will|would)\s+(?:stay|remain)\s+(?:in place|open|free|frozen|available)\b",
        "No centre will close before that work is finished"),
    Cue("would cooperate fully", "commitment", 0.75,
        r"\bwould\s+(?:fully\s+)?co-?operate\b", "the force would cooperate fully"),
    Cue("expects to", "commitment", 0.7,
        r"\b(?:expects?|expected|aims?|aimed|aiming|intends?|intended|intending)\s+to\s+\w+"
        r"|\bwill\s+(?:look|seek|aim)\s+to\b",
        "expects to complete the work by March"),
    Cue("is expected to", "commitment", 0.6,
        rf"\b(?:is|are)\s+expected\s+to\s+(?:{DO}|be\s+{DONE})\b",
        "The ward is expected to reopen in May"),
    Cue("has set up", "commitment", 0.7,
        r"\b(?:has|have|had)\s+(?:also\s+|now\s+|already\s+|recently\s+|today\s+)?"
        r"(?:formed|set up|launched|established|created|introduced|appointed|recruited|hired"
        r"|opened|delivered|completed|allocated|invested|secured|approved|agreed to|earmarked"
        r"|ring-fenced|set aside|rolled out|given|awarded|made available|offered|paused|frozen"
        r"|commissioned|renewed|extended|signed|paid|agreed\s+(?=£|\$|€|\d)"
        r"|(?:today\s+)?(?:confirmed|announced|approved)\s+(?=£|\$|€|\d))"
        r"|\b(?:is|are|am)\s+(?:now\s+|therefore\s+|also\s+)?(?:launching|introducing|setting up"
        r"|creating|opening|investing|recruiting|rolling out|commissioning|funding|extending)\b",
        "I have also formed a victims and survivors panel"),
    Cue("has been prioritised", "commitment", 0.65,
        r"\b(?:has|have|had)\s+been\s+(?:\w+ly\s+)?(?:prioriti[sz]ed|allocated|approved|funded"
        r"|ring-fenced|earmarked|set aside|secured|recruited|appointed|invested|agreed"
        r"|confirmed)\b",
        "Child sex abuse has been prioritised as a national threat"),
    Cue("continue to invest", "commitment", 0.7,
        r"\bcontinu(?:e|es|ing)\s+to\s+(?:invest|fund|support|recruit|train|deliver|provide"
        r"|improve|expand|prioriti[sz]e|develop|build|receive|get|offer|run|pay|protect|keep)\b",
        "we continue to invest in further training"),
    Cue("has already done", "commitment", 0.6,
        r"\b(?:has|have)\s+already\s+\w+ed\b",
        "We have already changed the way our control room works"),
    Cue("look forward to working", "commitment", 0.6,
        r"\blook(?:s|ing)?\s+forward\s+to\s+working\s+with\b",
        "I look forward to working with the new Commissioner"),
    Cue("duty to", "commitment", 0.6,
        r"\b(?:a|the|new|legal|statutory)\s+duty\s+to\b", "a duty to collaborate"),
    # --- replies: a denial or a rejection of what a body is accused of (kept only after an
    # allegation it can answer)
    Cue("denied", "reply", 0.95,
        r"\b(?:(?:do|does|did)(?:\s+not|n't)\s+accept(?!\s+the\s+evidence)|(?:den(?:y|ies|ied)|disput(?:e|es|ed)"
        r"|reject(?:s|ed)?|refut(?:e|es|ed)|contest(?:s|ed)?)[\"']?(?:\s+(?:\w+ly|throughout|ever)){0,2}"
        r"\s+"
        r"(?:the\s+|that\b|this\b|these\b"
        r"|any\b|all\b|its\b|our\b|his\b|her\b|their\b|claims?\b|allegations?\b|suggestions?\b"
        r"|\w+ing\b)"
        r"|acted (?:within the rules|lawfully|properly|appropriately)|(?:not|un)true\b"
        r"|(?:has|had|have) always maintained|there was never any (?:promise|agreement|commitment)"
        r"|(?:had|has|have|did)\s+not\s+(?:ignore|ignored|fail|failed|mislead|misled|break|broken"
        r"|broke|cover|covered)\b"
        r"|(?:is|are|was|were)\s+[\"']?(?:simply\s+|completely\s+|entirely\s+)?(?:false|wrong|incorrect"
        r"|inaccurate|misleading|baseless|unfounded)\b|do(?:es)? not recognise\b"
        r"|no (?:involvement|knowledge|wrongdoing) whatsoever)",
        "The council denied that it had ignored the warnings"),
    # Accepting a finding answers it; a promise in the same words says more, and wins.
    Cue("accepts the findings", "reply", 0.7,
        r"\baccept(?:s|ed)?\s+(?:[\w'-]+\s+){0,3}?(?:findings|criticisms?|conclusions|ruling"
        r"|judgment)\b",
        "The council said it accepted my findings"),
    # --- allegations: what a body is accused of, or found to have done wrong
    # Findings, in indirect speech: a report, an investigator or a court found it.
    Cue("found that", "allegation", 0.75,
        r"\b(?:found|find|finds|concluded|concludes|established|identified|uncovered|revealed|ruled"
        r"|determined|held|noted|observed)\s+(?:\w+\s+){0,3}?that\b"
        r"|\b(?:found|showed|shows|revealed|reveals|identified)\s*:"
        r"|\b(?:was|were|is|are)\s+(?:also\s+|highly\s+|strongly\s+)?critical\s+of\b"
        r"|\b(?:raised|raises|raising|expressed)\s+(?:serious\s+)?concerns?\b"
        r"|\bmatters? of concern\b"
        r"|\bevidence\s+(?:[\w-]+\s+){0,10}?(?:showed|shows|suggests|suggested|indicates)\b"
        r"|\b(?:key|main|summary of(?: the)?|our)\s+findings\s*:?\s*$"
        r"|\bwhat (?:we|the \w+|our \w+) found\b|\breported (?:in \w+ )?that\b"
        r"|\b(?:they|these|the (?:emails|documents|records|papers|files|messages))\s+"
        r"(?:show|showed|suggest|suggested|reveal|revealed)\s+that\b"
        r"|\bjudgment of the (?:\w+\s+){0,3}?(?:tribunal|court) is\b"
        r"|\b(?:did|does) not (?:accept|believe) the evidence\b|\bwas not satisfied that\b",
        "The review found that 23 properties had failed", actor_after=True),
    Cue("seen by", "allegation", 0.75,
        r"\b(?:(?:seen|obtained)\s+by\b|(?:passed|leaked|given|sent)\s+to\s+(?:us|the\s+\w+)\s+by\b"
        r"|(?:documents|records|emails|papers|files|minutes"
        r"|messages|reports?|an? (?:internal |leaked )?(?:review|audit|report))\s+(?:[\w,'-]+\s+)"
        r"{0,10}?(?:suggest|suggests|show|shows|showed|reveal|reveals|revealed|indicate|indicates"
        r"|found|concluded|identified|warned|said)"
        r"\s+(?:that\b|\w+))",
        "Documents seen by the Courier suggest that the council paid"),
    Cue("it is claimed", "allegation", 0.75,
        r"\bit (?:is|was|has been) (?:claimed|alleged|said|understood|reported) that\b",
        "It is claimed that the councillor did not declare it"),
    # Weak alone: what a group says is an allegation when it names a body or a figure too.
    Cue("people say", "allegation", 0.45,
        r"\b(?:residents|parents|families|campaigners|critics|staff|whistle-?blowers|tenants"
        r"|patients|opponents|officers|workers|insiders|employees|members|trustees|governors"
        r"|teachers|doctors|nurses|firefighters|clinicians|traders)"
        r"(?:\s+[\w,]+){0,8}?\s+(?:say|said|claim|claimed|allege|complain)\b"
        # a group's standing claim, in the present ("The union says the trust has lost 23
        # midwives"; what it "said" is more often its reaction)
        r"|\b(?:group|union|branch|federation|association|charity|campaign)"
        r"(?:\s+[\w,'\u2019]+){0,6}?\s+(?:says|claims)\b",
        "Residents say it now takes the council 73 days"),
    Cue("sources say", "allegation", 0.7,
        r"\b(?:asked not to be named|speaking (?:anonymously|on condition of anonymity)"
        r"|on condition of anonymity|we (?:spoke|talked) to (?:say|said|told)"
        r"|we heard that"
        r"|sources (?:say|said|claim|claimed)"
        r"|(?:another|a second|a third|a former [\w -]{1,30}?)\s+said\s+that"
        r"|(?:another|a second|a third|a)\s+former\s+[\w -]{1,30}?\s+says\b"
        r"|(?:former|current)\s+(?:members of\s+)?(?:staff|employees|workers|managers|officers"
        r"|nurses|carers|engineers)\s+(?:told|say|said)"
        r"|\bclaim(?:s|ed)\s+(?:that\b|(?:the|its|their|his|her|senior|council|ministers)\b))",
        "Another said that faults were logged as resolved"),
    # A claim with its claimant after it: "The council has cut the budget by 40%, he claims."
    Cue("claims after", "allegation", 0.7, r",\s+(?:he|she|they)\s+claim(?:s|ed)\b",
        "The council has cut its gully-clearing budget by 40% since 2023, he claims."),
    # Testimony to an inspector or a committee: weaker than a finding, and what it reports may
    # be a promise ("The Agency told us that it plans to ...").
    Cue("told us", "allegation", 0.65,
        r"\b(?:told us|we were told)\b", "Case managers told us they could not open records"),
    Cue("told the court", "allegation", 0.7,
        r"\b(?:(?:argued|submitted|contended)\s+(?:for\s+[\w.]+(?:\s+\w+)?\s+)?that"
        r"|(?:told|informed)\s+(?:the\s+)?(?:court|tribunal|inquest|jury|hearing|inquiry)"
        r"|the (?:court|tribunal|inquest|jury|hearing|inquiry) (?:heard|was told))\b"
        r"|\bprosecuting\b",
        "The court heard that the camera had been faulty"),
    Cue("fined", "allegation", 0.8,
        r"\b(?:(?:has|have|was|were|been|is|are)\s+(?:\w+\s+)?fined|ordered to pay"
        r"|pleaded guilty|found guilty|convicted)\b",
        "Kettlesby Borough Council has been fined £640,000"),
    Cue("served a notice", "allegation", 0.7,
        r"\bserved\s+(?:an?\s+)?(?:[\w-]+\s+)?(?:warning|enforcement|improvement|prohibition"
        r"|penalty) notice\s+on\b",
        "We have served a warning notice on the provider"),
    Cue("has not done", "allegation", 0.65,
        r"\b(?<!i )(?<!we )(?:has|have|had)\s+(?:still\s+|yet\s+)?not\s+(?:yet\s+|even\s+)?"
        r"(?:been\s+)?(?!ruled\b|been\b|set\b)"
        r"(?:\w+ed|kept|done|made|met|set|taken|paid|told|given|spent|built|sought)\b"
        r"|\b(?:heard|received|saw|was given|were given)\s+evidence\s+that\b"
        r"|\b(?:has|have|had)\s+left\s+(?:[\w'-]+\s+){1,5}?waiting\b|\bhas not come close\b"
        r"|\bonly\s+(?:\d[\d,.]*%?|one|two|three|four|five|six|seven|eight|nine|ten)\s+"
        r"(?:of\s+(?:the\s+)?\w+\s+|[\w-]+\s+){0,2}?(?:have|has|had|were|was)\s+(?:been\s+)?\w+"
        r"|\b(?:answered|met|hit|reached|completed|delivered|inspected|repaired|filled|upgraded)"
        r"\s+only\s+\d",
        "The Department has not kept track of what has been lost"),
    # A record attacked, as campaign literature states it: plain facts about those in office.
    Cue("record in office", "allegation", 0.7,
        r"\bunder\s+(?:the\s+)?(?:last|current|previous|outgoing|present|sitting)\s+"
        r"(?:mayor|commissioner|administration|government|council|leader(?:ship)?|cabinet|board"
        r"|chief constable)\b"
        r"|\bunder\s+(?:mr|mrs|ms|miss|cllr|councillor|dr)\.?\s+[a-z'-]+,"
        r"|\bsince\s+(?:mr\s+|mrs\s+|ms\s+|cllr\s+|commissioner\s+|mayor\s+|councillor\s+)?"
        r"[a-z'-]+\s+(?:[a-z'-]+\s+)?(?:became|took office|took over|was elected)\b"
        # ... and what the one in office did, opening a sentence ("It closed five of the
        # borough's eleven libraries.", "He spent £2.3 million refurbishing his own offices.")
        r"|(?:(?<=^)|(?<=\n)|(?<=[.!?]\s)|(?<=[.!?]\"\s))"
        r"(?:it|he|she|they|the (?:[a-z]+ ){0,2}(?:party|administration|mayor|commissioner"
        r"|leader))\s+(?:has\s+|have\s+|had\s+)?(?:closed|cut|spent|raised|scrapped|sold|lost"
        r"|wasted|axed|shut|hiked|squandered|broke|failed|let)\b"
        r"|\bown\s+figures\s+(?:show|reveal|confirm)|\bfigures\s+(?:we|i)\s+(?:have\s+)?obtained\b"
        r"|[a-z]+-(?:run|led)\s+"
        r"(?:council|cabinet|administration|authority|county hall|city hall)\s+"
        r"(?:has\s+|have\s+|had\s+)?(?:[a-z]+ed|cut|closed|sold|spent|shut|let|left|put|sat)\b",
        "Under the last mayor, bus punctuality across the region fell to 71%"),
    Cue("did nothing", "allegation", 0.7,
        r"\b(?:did nothing|done nothing\b(?!\s+wrong)|nothing (?:was|has been"
        r"|had been) done|took no action|no action (?:was|had been) taken|ignored"
        r"|(?:was|were|is|are|had been|has been|have been)\s+not\s+(?:\w+\s+){0,2}?"
        r"(?:safe(?:ly)?|properly|correctly|adequately|appropriately|effectively|lawfully"
        r"|in time|recorded|investigated|assessed|reviewed|updated|followed|completed|shared"
        r"|offered)"
        r"|not\s+(?:\w+\s+){0,3}?(?:quickly|properly|safely|well)\s+enough"
        r"|wrongly|unlawfully|unfairly"
        r"|(?:were|was) left (?:in|without|waiting|alone|for|on)"
        r"|without (?:any\s+|a\s+)?(?:public\s+)?(?:competition|tender|competitive tender"
        r"|consultation|vote|approval|checks"
        r"|authori[sz]ation)"
        r"|(?:are|is|were|was)\s+(?:\w+\s+)?too\s+(?:high|low|slow|long|often|late|many|few)"
        r"|(?:placed|put|gave)\s+too\s+(?:much|little)"
        r"|did\s+not\s+(?:alert|use|act|tell|inform|warn|check|carry out|record|report"
        r"|follow|provide|notify|investigate|assess|consult|publish|declare)"
        r"|there (?:was|were|is|are) no (?:adequate|proper|effective|clear|written|record|plan)"
        r"|(?:does|do|did) not have (?:the|enough|sufficient|any)\b"
        r"|not (?:put|sent) out to (?:tender|competition)"
        r"|\bonly (?:a (?:third|quarter|fifth|half)|half|one in \w+) of\b"
        r"|\b(?:knew|had known)\b[^.]{0,60}?\bthat\b|\bwe saw\b)\b",
        "Medicines were not managed safely"),
    # A rating set out as a line ("Is it safe? Inadequate", "Leadership: requires improvement to
    # be good") or a table's row ("Safety | Poor | Reasonably good").
    Cue("rating", "allegation", 0.8,
        r"(?:\?|:)\s*(?:inadequate|requires improvement(?: to be good)?|poor|unsatisfactory|weak"
        r"|not sufficiently good)\s*$"
        r"|(?<![^\n])[^|\t\n]{2,80}(?:\||\t)\s*(?:inadequate|requires improvement"
        r"(?: to be good)?|poor|unsatisfactory|weak|not sufficiently good)\s*(?:\||\t|$)",
        "Is the service safe? Inadequate"),
    # A row of an action table: what is to be done, by whom, by when.
    Cue("action table", "commitment", 0.6, r"(?<![^\n])[^|\n]*\|",
        "C26/14 | Report on damp and mould figures by estate | Director of Housing | 8 July 2026",
        in_action_table=True),
    Cue("alleged", "allegation", 0.85,
        r"\balleg(?:e|es|ed|edly|ing|ations?)\b", "an officer is alleged to have argued"),
    Cue("accused", "allegation", 0.85,
        r"\baccus(?:e|es|ed|ing|ations?)\b(?!\s+(?:man|woman|pair)\b)",
        "accused the cabinet of ignoring complaints", actor_after=True),
    Cue("failed to", "allegation", 0.8,
        r"\b(?:failed|failing|fails|failures?)\s+(?:\w+ly\s+)?to\b",
        "condemned Ofsted for failing to lift the lid"),
    Cue("condemned", "allegation", 0.75,
        r"\b(?:condemn(?:s|ed|ing)?|criticis(?:e|es|ed|ing)|criticiz(?:e|es|ed|ing)"
        r"|censur(?:e|es|ed)|blam(?:e|es|ed|ing)|rebuk(?:e|es|ed)|lambast(?:s|ed)?)\b",
        "the committee has condemned Ofsted", actor_after=True),
    Cue("launched an investigation", "allegation", 0.8,
        r"\b(?:launch(?:ed|es)?|open(?:ed|s)?|beg(?:un|an)|start(?:ed|s)?|order(?:ed|s)?)\s+"
        r"(?:an?\s+)?(?:\w+\s+)?(?:investigation|inquiry|probe|review)\s+(?:into|over)\b",
        "the watchdog has launched an investigation into the force", actor_after=True),
    Cue("under investigation", "allegation", 0.7,
        r"\b(?:(?:under|facing|subject to an?)\s+(?:\w+\s+)?investigation\b"
        r"|(?:being|to be)\s+investigated\b|(?:is|are)\s+(?:\w+ly\s+)?investigating\b)",
        "Fourteen officers are already under investigation"),
    Cue("found wanting", "allegation", 0.8,
        r"\b(?:found|finds|concluded|ruled|judged|said)\s+(?:that\s+)?[^.;]{0,80}?\b"
        r"(?:inadequate|unsafe|unlawful(?:ly)?|in breach|breached|mishandled|misled"
        r"|not (?:safe|effective|well-led|good enough)|insufficient|too long|too slow"
        r"|left waiting|waited (?:more|longer|over|up to)|(?:did not|didn't) have enough"
        r"|not enough|too few"
        r"|not \w+ing (?:[\w-]+ ){0,5}?(?:quickly|properly|safely|well) enough)\b",
        "Inspectors found that the ward was unsafe", actor_after=True),
    Cue("rated inadequate", "allegation", 0.8,
        r"\b(?:rated|judged|graded|assessed)\s+[^.;]{0,80}?\"?(?:inadequate|requires? improvement"
        r"|requiring improvement|poor|unsatisfactory|weak)\b",
        "The trust was rated inadequate", actor_after=True),
    Cue("breached", "allegation", 0.95,
        r"\b(?:breach(?:ed|es|ing)?|broke|broken|breaking)\s+(?:[\w-]+\s+){0,3}?"
        r"(?:law|laws|rules|code|duty|regulations|promise|pledge|guidance|standards?|limit"
        r"|target)\b"
        r"|\b(?:acted\s+)?unlawful(?:ly)?\b|\bbroken (?:it|them|that promise|this promise)\b"
        r"|\b(?:fewer|less|lower|smaller|later) than (?:promised|pledged|planned|targeted)\b"
        r"|\bmore than (?:planned|budgeted|promised|forecast)\b|\bover[ -]budget\b"
        r"|\bbehind schedule\b|\bwast(?:ed|ing)\s+(?:£|(?:public\s+|taxpayers.\s+)?money\b"
        r"|millions\b)"
        r"|\bdespite\s+(?:\w+\s+){0,2}?(?:promis|pledg)\w*",
        "the council breached its own code"),
    Cue("complaint", "allegation", 0.7,
        r"\b(?:complain(?:ed|s|ts?)?\s+(?:about|that|of|over|against|the|her|his|their|its)\b"
        r"|upheld\b)",
        "complaints about the force's response times", actor_after=True),
    Cue("misconduct", "allegation", 0.7,
        r"\b(?:misconduct|maladministration|negligen(?:ce|t)|wrongdoing|cover-?up|mismanag\w*"
        r"|mishandl\w*|failings|turned a blind eye|ignored (?:warnings|concerns|complaints))\b",
        "gross misconduct"),
    # --- proposals: what someone wants done, or a change being considered
    Cue("asks to consider", "proposal", 0.85,
        r"\b(?:ask|asks|asked|asking|invite|invites|invited|urge|urges|urged|press|presses)\s+"
        r"(?:[\w'.-]+\s+){1,8}?to\s+(?:consider|reconsider|review|look again|think again)\b"
        r"|\b(?:ask|asks|asked|requested|proposed|urged|recommended)\s+that\b"
        r"|\bwill the (?:minister|secretary of state|government|prime minister|department|leader)\b"
        r"|\b(?:would|'d)\s+(?:also\s+|really\s+)?like\s+to\s+see\b|\bwants?\s+to\s+see\b"
        r"|\binvit(?:e|es|ed|ing)\s+(?:[\w'.-]+\s+){1,6}?to\s+(?!attend|speak|the\b)\w+"
        r"|\basked\s+(?:[\w'-]+\s+){1,4}?to\s+(?:let|allow|give|provide|keep|open|make|pay|publish"
        r"|stop|reduce|increase|take|put|fund|set|secure|restore|protect|ensure)\b"
        r"|\b(?:asked|asks|asking)\s+for\s+(?!comment|a response|a statement|more time)\w+",
        "asks the Secretary of State to consider sending in commissioners"),
    Cue("expects it to:", "proposal", 0.8,
        r"\b(?:expects?|requires?)\s+(?!to\b)(?:[\w'-]+\s+){1,4}?to\s*(?::|(?!be\b)\w+)",
        "We expect the landlord to:"),
    Cue("needs to improve", "proposal", 0.75,
        r"\b(?:what (?:needs|the \w+ needs|\w+ must do) to (?:improve|happen|change)"
        r"|areas? (?:for|to|of) improvement|improvements? (?:needed|required))\b",
        "What needs to improve"),
    Cue("an amendment", "proposal", 0.75,
        r"\b(?:moved|proposed)\s+(?:and\s+[\w\s]{1,40}?seconded\s+)?an amendment\b"
        r"|\ban amendment (?:to|that|which)\b",
        "Councillor Okonjo moved an amendment to the budget"),
    Cue("must by a deadline", "proposal", 0.75,
        r"\bmust\s*:|\bmust\s+(?!not\b)(?:[\w'-]+\s+){1,10}?(?:by|before|within|no later than)\s+"
        r"(?:the end of|\d"
        r"|(?:one|two|three|four|six|twelve|\d+)\s+(?:days|weeks|months))",
        "The provider must make the required improvements by 30 June 2026"),
    Cue("calls for", "proposal", 0.85,
        r"\bcall(?:s|ed|ing)?\s+(?:for|on)\b", "The LGA has called for an independent review"),
    Cue("could face", "proposal", 0.85,
        r"\bcould\s+(?:also\s+|now\s+|soon\s+)?(?:face|go to (?:prison|jail)|be\s+(?:jailed"
        r"|fined|banned|closed|scrapped|axed|cut|merged|sold|abolished|introduced|extended"
        r"|required|forced|made|given|charged|stripped|handed))\b",
        "could face up to five years in prison"),
    Cue("proposals", "proposal", 0.8,
        r"\b(?:propos(?:e|es|ed|als?|ing)\b|under\s+(?:the\s+)?(?:new\s+)?plans\b)",
        "Under the proposals, being considered"),
    Cue("consultation", "proposal", 0.8,
        r"\b(?:consult(?:ation|ations|ing|s)\b|being considered\b|under consideration\b)",
        "currently subject to consultation"),
    Cue("recommends", "proposal", 0.8,
        r"\brecommend(?:s|ed|ing)?\b|\b(?:makes?|making|sets? out)\s+(?:\w+\s+){0,2}?"
        r"recommendations\b",
        "The report recommends that"),
    Cue("plans to", "proposal", 0.75,
        r"\b(?:(?:plans?|scheme)\s+(?:to|for)\b|(?:the|new|draft)\s+plans\b)",
        "The council plans to close three libraries"),
    Cue("it would be helpful if", "proposal", 0.75,
        r"\bit would be (?:helpful|better|right|sensible|good)\s+(?:if|for|to)\b",
        "It would be helpful if the government recognised this"),
    Cue("urges", "proposal", 0.75,
        r"\b(?:urg(?:e|es|ed|ing)|demand(?:s|ed|ing)?|petition(?:s|ed|ing)?|lobbie[sd]|lobbying"
        r"|(?:will|to)\s+(?:press|lobby|push)\s+(?!release|conference|office|officer)\w+)\b",
        "Campaigners urged the council to think again"),
    Cue("asks the government to", "proposal", 0.75,
        r"\bask(?:s|ed|ing)?\s+(?:the\s+)?(?:government|ministers?|council|trust|secretary)\b"
        r"[^.]{0,80}\bto\b|\b(?:ask|asks|asked|asking|request|requests|requested)\s+"
        r"(?:that\s+)?(?:the|its|their|our)\s+(?:[\w'-]+\s+){0,4}?(?:to|provide|publish|report|give)\b"
        r"|\basked\s+(?:the|its|their|our|his|her)\s+(?:[\w',.-]+\s+){1,7}?to\s+(?!be\b)\w+",
        "asked the government to fund the posts"),
    Cue("told it must", "proposal", 0.75,
        r"\b(?:told|ordered|instructed|warned)\s+(?:the\s+)?\w+\s+(?:that\s+)?(?:it|they)\s+must\b"
        r"|\brequir(?:ing|es?|ed)\s+(?:it|them|the\s+\w+)\s+to\b",
        "The CQC has told the trust it must make improvements"),
    Cue("should", "proposal", 0.7,
        r"\bshould,?\s+(?!not\b|have\b|be\s+noted\b|note\b|know\b|remember\b|forget\b|think\b"
        r"|feel\b)\w+|\bshould\s*:",
        "the role should be scrapped"),
    Cue("wants", "proposal", 0.7,
        r"\b(?:wants?|wanted)\s+(?:to\s+(?!thank|say|see\b|know|hear)\w+"
        r"|(?!to\b)\w+(?:\s+\w+){0,4}\s+to\s+\w+)",
        "wants the government to fund the posts"),
    Cue("needs funding", "proposal", 0.7,
        r"\bneeds?\s+(?:\w+\s+)?(?:funding|money|investment|resources)\b",
        "organisations that need funding now"),
    Cue("vital that", "proposal", 0.65,
        r"\b(?:vital|essential|crucial|imperative|important)\s+that\b",
        "It's also vital that we move towards a process"),
    Cue("need to see", "proposal", 0.65,
        r"\bneeds?\s+to\s+(?:see|be\s+(?:reviewed|changed|reformed|funded|scrapped|replaced"
        r"|investigated|extended))\b",
        "We need to see better local working"),
    Cue("campaign for", "proposal", 0.65,
        r"\bcampaign(?:s|ing|ers)?\s+(?:for|to|against)\b", "campaigners for a new crossing"),
    # Weak alone: suggested only with a quantity and a known actor, or another cue, beside them.
    # A list item that opens with a bare verb ("1) Bring all 41 bus routes under public
    # control", "- Appoint a manager"): a pledge or a requirement, weak alone, so that the list's
    # lead-in says which when it can ("What the provider must do", "If elected, I will:").
    Cue("bare verb", "commitment", 0.45,
        r"(?:(?<=^[-*\u2022] )|(?<=\n[-*\u2022] )|(?<=\d[.)] )|(?<=\w\) ))"
        r"(?:pay|publish|review|set|bring|make|put|hold|introduce|build|give|commission|recruit"
        r"|ensure|reopen|appoint|keep|open|replace|train|require|fund|double|freeze|start"
        r"|restore|notify|cap|install|cut|inspect|complete|stop|end|answer|tell|consult|write"
        r"|launch|arrange|clear|invest|create|plant|invite|run|fit|upgrade|halve|scrap|insulate"
        r"|hire|deliver|provide|extend|expand|protect|reduce|raise|abolish|establish|guarantee"
        r"|offer|repair|fix|employ|triple|treble|close|merge|reform|lower)\b",
        "1) Bring all 41 bus routes under public control through franchising by 2028."),
    Cue("must", "proposal", 0.4,
        r"\bmust\s+(?!not\b|have\b|be\s+(?:noted|said|remembered)\b|feel\b|know\b)\w+",
        "councils must do more"),
    Cue("needs to", "proposal", 0.4, r"\bneeds?\s+to\s+\w+", "The government needs to act"),
)  # fmt: skip

DAMPERS: tuple[Damper, ...] = (
    Damper("caveat", 0.6,
        r"\b(?:(?:does|did|do)(?: not|n't) (?:mean|imply|indicate|suggest)|no suggestion"
        r"|not an admission"
        r"|should not be taken|no (?:evidence|finding) of|done anything wrong|no wrongdoing"
        r"|without prejudice)\b",
        "does not mean an officer has done anything wrong"),
    Damper("weather", 0.35,
        r"\b(?:weather|forecast(?:ers?)?|rain(?:fall)?|showers|sunshine|sunny|cloudy|temperatures?"
        r"|met office|frost|snow|fog|gusts?|thunderstorms?|drizzle|heatwave|\d+\s?°c)\b",
        "Rain is expected to clear by the afternoon"),
    Damper("reaction", 0.25,
        r"\b(?:i|we)\s+(?:\w+ly\s+)?(?:welcome|applaud|hope|am (?:pleased|delighted|proud"
        r"|disappointed|saddened|shocked|appalled)|are (?:pleased|delighted|proud"
        r"|disappointed)|was (?:shocked|appalled)|wish to thank|would like to thank)\b",
        "I am pleased with the verdict"),
    Damper("feeling", 0.4,
        r"\b(?:said|say|says)\s+(?:they|he|she|we)\s+(?:felt|feel|feels|believed|thought)\b",
        "Residents said they felt abandoned"),
    Damper("opinion", 0.2,
        r"\b(?:i (?:think|believe|feel)|in my (?:view|opinion)|it(?:'s| is) clear that"
        r"|(?:worst|best|finest) (?:they|we|i|anyone) (?:have|has|had) (?:ever )?(?:seen|known))\b",
        "I think it's a disgrace"),
    # What minutes record of their own proceedings.
    Damper("procedural", 0.6,
        r"\b(?:be noted|(?:noted|note) the (?:annual |quarterly )?"
        r"(?:report|minutes|update|contents?|findings)"
        r"|be excluded|read (?:a second time )?and agreed|apologies for absence"
        r"|declarations? of interest|minutes of the (?:\w+\s+)?meeting|no objections?"
        r"|(?:approve|approved|note|noted) the (?:payments|accounts|schedule|bank reconciliation)"
        r"|bank reconciliation"
        r"|be the \w+ report of the|draft report\b[^.]{0,120}?proposed by|ordered, that"
        r"|(?:panel|committee|cabinet|board|members|council|authority|it was)\s+(?:\w+\s+)?noted"
        r"\s+that|\bnote that|next meeting (?:will|is|was|of)|date of (?:the )?next meeting"
        r"|by \d+ votes to \d+|question put and agreed to)\b",
        "RESOLVED that the report be noted"),
    Damper("praise", 0.15, r"\b(?:welcomed|applauded|praised|hailed)\b", "residents welcomed"),
    Damper("figures", 0.4,
        # (but a body's "own figures", or figures "we obtained", are a record held against it)
        r"\b(?<!own )(?:(?:figures|statistics|data|survey|census)\s+(?:show|shows|showed|published"
        r"|released|suggest|suggests|revealed?)|(?:figures|statistics|data)\s+(?!we\b|i\b)"
        r"(?:[\w,'-]+\s+){1,8}?"
        r"(?:show|shows|showed)|according to (?:the\s+)?(?:latest\s+)?"
        r"(?:figures|data|statistics))\b",
        "Figures published on Tuesday show"),
    # Arrests of private people: the tracker follows public bodies, not court lists.
    Damper("court report", 0.45,
        r"\b(?:m[ae]n|wom[ae]n|people|person|boys?|girls?|teenagers?|youths?|\d+-year-old)\s+"
        r"(?:\w+\s+){0,3}?(?:arrested|bailed|charged|remanded|released on bail|jailed|sentenced)\b",
        "Three men arrested yesterday"),
    # What the law asks of any such body, stated as background in a report or a committee's
    # notes ("The law says a council must decide ...", "Councils must arrange ..."): not a
    # claim about this one (whose own duty is named: "The council must pay Mrs X £500").
    Damper("the law", 0.6,
        r"(?:(?<=^)|(?<=\n)|(?<=[.!?:]\s)|(?<=[.!?]\"\s))(?:the law (?:says|requires|states)"
        r"|under the (?:usual )?conventions|under the rules that govern"
        r"|(?:councils|landlords|local authorities|providers|water companies|employers|trusts"
        r"|schools) must|an? (?:council|landlord|local authority|provider|water company|employer"
        r"|trust|school) must)\b",
        "The law says a council must decide an application as soon as reasonably practicable"),
    Damper("vox pop", 0.2, r",\s+(?:aged\s+)?\d{2},\s", "said Jean Hollis, 72, who lives nearby"),
)  # fmt: skip
