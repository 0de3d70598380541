"""The urgency marker tables: weighted patterns per category, vetoes, the vulnerable
customer subjects and distress words, and what makes a sentence a policy question.

Data only (compiled regular expressions); `urgency.py` applies them to normalised text:
lower case, hashtags split, emojis as words, letters repeated 3+ times squeezed to one,
key-word misspellings corrected. Every category is tested in
tests/unit/bot/components/test_urgency.py with positive and negative cases.
"""
from __future__ import annotations

import re
from typing import Dict, Pattern, Tuple


def rx(*parts: str) -> Pattern[str]:
    """One pattern that matches any of `parts`."""
    return re.compile("|".join(f"(?:{p})" for p in parts))


# Things on board, to give "fire"/"smoke" a context.
_ONBOARD = (
    r"cabin|plane|aircraft|airplane|aeroplane|jet|engine|engines|wing|wings|toilet|toilets|"
    r"lavatory|lav|galley|cockpit|seat|seats|row|overhead|bin|battery|batteries|power ?bank|"
    r"laptop|phone|charger|vape|e-?cig\w*|board|onboard|flight|terminal|gate|luggage|bag|hold"
)
_BODY = (
    r"back|neck|head|leg|legs|arm|arms|hand|hands|wrist|ankle|knee|knees|foot|feet|shoulder|"
    r"hip|face|eye|eyes|nose|finger|fingers|toe|toes|rib|ribs|skin|chest|lip|mouth"
)

# Phrases that look like markers but are not: removed before matching.
VETOES: Pattern[str] = re.compile(
    r"\b(?:(?:kindle |amazon )?fire (?:tablet|tablets|tv|stick|hd\d*|phone|exit|exits|door|doors)|fire ?stick|"
    r"kindle fire|firefox|fire ?wall|fireworks?|campfire|bonfire|fireplace|wild ?fires?|bush ?fires?|forest ?fires?|"
    r"cease ?fire|fired? up|(?:get|gets|got|getting|be|been|should be|deserves? to be) fired|"
    r"fire (?:him|her|them|that|this|the|your|whoever|somebody|someone|everyone|every|all|u|you)|"
    r"(?:is|was|are|were|so|straight|pure|absolute|absolutely|lowkey|highkey|kinda|literally|lit|"
    r"looking|looks|look|sounds?|tastes?) (?:fire\b ?)+(?! ?(?:in|on|at|near|under|inside|alarm)\b)|"
    r"no smoking|smoke[- ]?free|non[- ]?smoking|smoking (?:area|areas|room|zone|lounge|section|ban|policy|sign)|"
    r"(?:i|can|cannot|can't|cant|could|need to|want to|wanna|gonna|go|allowed to|let me|we|they|u|you) smoke|"
    r"(?:booking|reservation|fare|seat|seats|ticket|tickets|refund|account|card|payment|order|it|price) "
    r"(?:is |was |are |were |been |being |be |put |placed |kept |still )*on hold|"
    r"da bomb|the bomb\b(?! threat| scare| on| in)|photo ?bomb\w*|"
    r"ignore (?:my|our|the|this|that) (?:previous|last|earlier|other|first)|"
    r"stroke of (?:luck|genius)|(?:fly|flying|flies|flew|travel\w*|going|go|goes) alone|"
    r"(?:doctor'?s?|medical|gp'?s?) (?:note|letter|certificate|clearance|form)|"
    r"with (?:a|an|his|her|my|their) (?:broken|fractured|sprained) \w+|"
    r"minor (?:delay|issue|problem|change|thing|inconvenience|detail|question))\b"
)

PATTERNS: Dict[str, Tuple[Tuple[float, Pattern[str]], ...]] = {
    "safety": (
        (
            0.95,
            rx(
                rf"\b(?:smoke|smoking|flames?|fire|burning)\b[^.!?\n]{{0,40}}\b(?:{_ONBOARD})\b",
                rf"\b(?:{_ONBOARD})\b[^.!?\n]{{0,40}}\b(?:smoke|smoking|flames?|on fire|caught fire|burning|fire)\b",
                r"\b(?:smel(?:l|ls|led|lt|ling|t)|stench|reek\w*) (?:of |like )?(?:smoke|burning|fuel|gas|jet fuel|kerosene)\b",
                r"\bburning smell\b|\bfuel (?:leak|leaking|smell)\b",
                r"\b(?:caught fire|catch(?:es|ing)? fire|fire alarm|fire extinguisher|filled with smoke|full of smoke)\b",
            ),
        ),
        (
            0.95,
            rx(
                r"\bbomb (?:threat|scare|hoax|on board|onboard|in the)\b",
                r"\b(?:there'?s|there is|found|saw|reported|says? (?:he|she|they) (?:has|have)) an? bomb\b",
                r"\b(?:hijack\w*|mayday|emergency (?:landing|evacuation|slide|descent)|emergency landed)\b",
                r"\bevacuat(?:ed|ion|ing)\b",
                r"\bsuspicious (?:package|bag|item|device)\b",
                r"\b(?:oxygen )?masks? (?:dropped|deployed|came down|fell)\b",
                r"\b(?:depressuri[sz]\w+|lost (?:cabin )?pressure|near miss|near-miss|skidded off)\b",
                r"\b(?:engine|wing|door|tyre|tire|landing gear|windscreen|windshield|window) "
                r"(?:failure|failed|fell off|fell apart|exploded|blew|cracked|came off|was smoking|is smoking|caught fire)\b",
            ),
        ),
        (
            0.9,
            rx(
                r"\bunsafe (?:aircraft|plane|airplane|jet|to fly|flight|conditions|landing|takeoff|take-off)\b",
                r"\b(?:aircraft|plane|airplane|jet)(?: is| was|'s)? (?:not safe|unsafe|unairworthy|falling apart)\b",
                r"\bnot safe to fly\b|\bunairworthy\b",
                r"\b(?:drunk|intoxicated) (?:pilot|captain|crew)\b|\bpilot (?:was|is|seemed|looked) (?:drunk|intoxicated)\b",
                r"\b(?:sexual(?:ly)? )?(?:assaulted|assault|harass(?:ed|ing|ment)|groped|physically attacked|punched)\b",
                r"\b(?:fight|brawl) (?:on board|onboard|broke out|on the plane|in the cabin)\b",
                r"\bunruly (?:passenger|pax|man|woman)\b",
            ),
        ),
        (
            0.9,
            rx(
                r"\bturbulence\b[^.!?\n]{0,60}\b(?:injur\w*|hurt|bleeding|hit (?:my|his|her|their) head|thrown|"
                r"flew|flying|ceiling|hospital|ambulance|broke|broken)\b",
                r"\b(?:injur\w*|hurt|bleeding|thrown|hospital\w*)\b[^.!?\n]{0,60}\bturbulence\b",
                r"\bsevere turbulence\b",
            ),
        ),
    ),
    "injury": (
        (
            0.9,
            rx(
                r"\b(?:injured|injury|injuries|bleeding|bled|fainted|fainting|passed out|collapsed|unconscious|"
                r"concussion|seizure|heart attack|(?:had|having|has|suffered) a stroke|chest pains?|can'?t breathe|"
                r"cannot breathe|couldn'?t breathe|difficulty breathing|struggling to breathe|stopped breathing)\b",
                r"\b(?:allergic reaction|anaphyla\w*|anaphalactic|epi-?pen (?:used|administered|injected|was needed)|"
                r"went into (?:shock|anaphyla\w*))\b",
                r"\b(?:ambulance|paramedics?|a ?& ?e|emergency room|rushed to hospital|taken to hospital|"
                r"in (?:the )?hospital|hospitali[sz]ed|medical emergency|needs? a doctor|need(?:ed|s)? medical (?:help|attention))\b",
                r"\b(?:broke|broken|fractured|sprained|dislocated) (?:my|his|her|their|our|a) (?:" + _BODY + r")\b",
                r"\b(?:broken|fractured|sprained) (?:" + _BODY + r")\b",
                r"\b(?:" + _BODY + r") (?:is|was|are|were|got|is probably|might be|must be) "
                r"(?:broken|fractured|sprained|dislocated|bleeding|burned|burnt|scalded)\b",
            ),
        ),
        (
            0.85,
            rx(
                r"\b(?:got|get|gets|getting|was|were|been|is|are|am|i'm|im|he's|she's) (?:badly |seriously |so |really )?hurt\b",
                r"\bhurt (?:my|his|her|their|our) (?:" + _BODY + r")\b",
                r"\b(?:burn(?:ed|t|s)?|scald(?:ed|s)?)\b(?: \w+){0,3} (?:" + _BODY + r"|blister\w*)\b",
                r"\b(?:burn(?:ed|t|s)?|scald(?:ed|s)?) (?:from|by|with) (?:a |the |some |my |his |her )?(?:hot|boiling|scalding)\b",
                r"\b(?:got|have|has|had) (?:a |an |bad |nasty |serious |severe |second degree |2nd degree |third degree )*burns?\b",
                r"\bscalded\b",
                r"\b(?:spilled|spilt|dropped|poured|threw|knocked) (?:a |the |some |her |his )?(?:hot|boiling|scalding) "
                r"(?:drink|coffee|tea|water|soup)\b",
                r"\b(?:hot|boiling|scalding) (?:drink|coffee|tea|water|soup)\b[^.!?\n]{0,40}\b(?:burn\w*|scald\w*)\b",
                r"\b(?:food poisoning|vomiting blood|throwing up blood)\b",
                r"\b(?:hit|struck|fell on|landed on|banged) (?:my|his|her|their|our) (?:head|face|eye|arm|shoulder|knee)\b",
                r"\b(?:i|he|she|we|they|mum|mom|dad|son|daughter|wife|husband|grandma|grandpa|nan) (?:fell|slipped|tripped)\b",
            ),
        ),
    ),
    "legal": (
        (
            0.85,
            rx(
                r"\b(?:lawyers?|lawyered up|attorneys?|solicitors?|legal team|legal counsel|barrister)\b",
                r"\b(?:law ?suit|lawsuits|class action|legal action|legal proceedings|legal steps|legal route|"
                r"take (?:legal|this legal)|going legal|court action|small claims?|county court|"
                r"(?:take|taking|drag|dragging) (?:you|u|ya|them|this|aurora\w*) to court|see (?:you|u|ya) in court|"
                r"letter before action|cease and desist)\b",
                r"\bsu(?:e|ing|eing)\s+(?:you|u|ya|y'?all|them|your|the airline|this airline|aurora\w*|for|over)\b",
                r"\b(?:will|gonna|going to|goin to|go to|want to|wanna|to|i'?ll|we'?ll|shall|might|may|could|should|"
                r"consider|considering|thinking of|thinking about)\s+su(?:e|ing|eing)\b(?!')",
                r"\b(?:i'?m|im|am|we'?re|are|be|start|started|now) su(?:ing|eing)\b",
            ),
        ),
        (
            0.8,
            rx(
                r"\b(?:charge ?-?back|disput(?:e|ed|ing) (?:the|this|my|a) (?:charge|payment|transaction)|"
                r"(?:call|contact|ask|asking|get|getting|told|tell) my (?:bank|card (?:provider|issuer|company)|credit card company)"
                r"(?: to)? (?:reverse|refund|dispute|claw)|reverse the (?:charge|payment))\b",
                r"\b(?:regulator|ombudsman|trading standards|consumer protection|aviation authority|"
                r"civil aviation|department of transportation|enforcement body)\b",
                r"\b(?:complain(?:t|ts|ing|ed)?|report(?:ing|ed)?|escalat\w+|writ(?:e|ing)|fil(?:e|ed|ing)(?: a complaint)?)"
                r"(?: (?:you|u|this|it|them|aurora\w*))? (?:to|with) (?:the )?(?:caa|faa|dot|easa|cta|ombudsman|regulator|"
                r"aviation authority|bbb|better business bureau|trading standards|media|press|mp|congressman|senator)\b",
                r"\b(?:caa|faa|dot|easa) (?:complaint|will hear|is going to hear|will be hearing)\b",
            ),
        ),
    ),
    "no_answer": (
        (
            0.7,
            rx(
                r"\b(?:no ?one|no-one|no1|nobody|nobdy|nobady)\b (?:(?:ever|is|has|will|even|actually|at all|here|there|"
                r"from \w+) )*(?:answer\w*|respond\w*|repl\w*|pick\w* up|got back|gets back|get back|getting back|"
                r"help\w*|reads?|bother\w*|called back|calls back|rang back|contacted)\b",
                r"\b(?:still|yet) (?:no|not a|not one|nothing|without an?|without any|"
                r"haven'?t (?:had|got|received|heard)(?: an?| any)?) "
                r"(?:reply|replies|response|responses|answer|answers|word|call ?back|email back|contact|"
                r"acknowledge?ment|feedback)\b",
                r"\bno (?:reply|replies|response|responses|answer|answers|call ?back)\b[^.!?\n]{0,30}"
                r"\b(?:days?|weeks?|months?|hours?|yet|since|after|again|still|emails?|messages?|calls?|dms?)\b",
                r"\bon hold\b[^.!?\n]{0,25}\b(?:hours?|hrs?|forever|ages|\d+\s*(?:h|hours?|hrs?|mins?|minutes)|"
                r"an hour|over an|all day|all morning|all afternoon)\b",
                r"\b(?:\d+\s*(?:hours?|hrs?|h)|hours|ages|forever) on hold\b",
                r"\b(?:third|fourth|fifth|sixth|tenth|3rd|4th|5th|6th|\d+th|hundredth|umpteenth|another|\d+) "
                r"(?:time|times|message|messages|email|emails|dm|dms|call|calls|attempt|attempts|request|tweet|tweets)"
                r" (?:asking|i'?ve asked|i asked|i have asked|i'?ve (?:written|messaged|called|emailed|contacted|tweeted|tried)|"
                r"i have (?:written|messaged|called|emailed|contacted|tried)|writing|messaging|emailing|calling|contacting|trying|"
                r"and (?:no|nothing|still))\b",
                r"\b(?:my|the|our|this is my) (?:third|fourth|fifth|sixth|tenth|3rd|4th|5th|6th|\d+th|umpteenth|hundredth) "
                r"(?:message|email|dm|call|attempt|tweet|request|complaint|chase|follow[ -]?up)\b",
                r"\b(?:asking|contacting|writing|messaging|emailing|calling|tweeting|dming) (?:you |u )?(?:for )?the "
                r"(?:second|third|fourth|fifth|2nd|3rd|4th|5th|\d+th|umpteenth|hundredth) time\b",
                r"\b(?:ignored|ignoring|ghosted|blanked) (?:all )?(?:my|our|of my|of our) (?:\w+ )?(?:emails?|messages?|calls?|dms?|"
                r"tweets?|complaints?|requests?|claims?|letters?|questions?|posts?)\b",
                r"\b(?:ghosted|ghosting) (?:me|us)\b|\bignored (?:me|us) for (?:\d+|days|weeks|months|hours|a week|a month)\b",
                r"\b(?:keep|keeps|kept|been|are|you'?re|ur|stop) (?:ignoring|ghosting)\b",
                r"\bnever (?:heard back|got (?:a |any )?(?:reply|response|answer|call ?back)|replied|responded|answered|"
                r"got back|called back|rang back)\b",
                r"\b(?:can'?t|cannot|couldn'?t|unable to|impossible to) (?:get through|reach (?:anyone|anybody|a human|a person|"
                r"you|u|someone|somebody|customer service)|get hold of (?:anyone|anybody|you|u|someone|somebody))\b",
                r"\b(?:hung up on|disconnected) (?:me|us)\b|\b(?:got|keep getting|kept getting) disconnected\b",
                r"\bkeeps? (?:hanging up|disconnecting|ringing out)\b",
                r"\b(?:messages?|emails?|calls?|complaints?|dms?|tweets?|requests?|claims?|tickets?) "
                r"(?:go|goes|went|still|are|is|have been|has been|left) (?:unanswered|unread|ignored|into (?:a |the )?void)\b",
                r"\bunanswered\b",
            ),
        ),
    ),
}

# Vulnerable customers: a subject and a distress word, both outside policy questions.
VULNERABLE_WEIGHT = 0.85
VULNERABLE_SUBJECT = re.compile(
    r"\b(?:wheelchairs?|wheel chair|mobility (?:aid|scooter|device|issues?|problems?)|prm|reduced mobility|disabled|"
    r"disability|crutches|walking frame|(?:i'?m|im|am|is|are|was) (?:blind|deaf)|"
    r"(?:blind|deaf|disabled|elderly|autistic) (?:passenger|customer|traveller|traveler|man|woman|person|son|daughter|"
    r"mother|father|mum|mom|dad|grandma|grandpa|grandmother|grandfather|child|kid)|visually impaired|hearing impaired|"
    r"dementia|alzheimer'?s|autistic|autism|unaccompanied|"
    r"(?:[1-9]|1[0-7])[ -]?(?:yo|y/o|year[ -]old|yr[ -]old)|(?:[7-9]\d|1[01]\d)[ -]?(?:yo|y/o|year[ -]old|yr[ -]old)|"
    r"elderly|pregnant|expecting a baby|newborn|infant|toddler)\b"
)
VULNERABLE_DISTRESS = re.compile(
    r"\b(?:left behind|left (?:alone|on the|at the|in the|stranded)|stranded|abandoned|stuck|"
    r"(?:left|all|sitting|sat|waiting|stuck|crying|is|was|are|were|'s) alone|alone (?:at|in|on) the|"
    r"on (?:her|his|their) own (?:at|in|on)|missing|(?:is|was|got|are|were) lost|lost (?:my|his|her|their|our|the) "
    r"(?:wheelchair|chair|scooter|walker)|can'?t find|cannot find|couldn'?t find|forgot(?:ten)? (?:about )?(?:him|her|them|us|me)|"
    r"(?:nobody|no ?one) (?:came|helped|was there|is there|met|showed|to help)|never (?:came|showed|arrived|turned up)|"
    r"didn'?t (?:come|show|arrive|turn up)|not (?:there|waiting|provided|available|arrived)|"
    r"no (?:assistance|help|wheelchair|seat|food|milk|formula|water)|"
    r"(?:damaged|broke|broken|smashed|destroyed|lost|bent) (?:my |his |her |their |our |the )?(?:wheelchair|chair|scooter|walker)|"
    r"(?:wheelchair|chair|scooter|walker) (?:was |is |got |has been |came back )?(?:damaged|broken|smashed|destroyed|lost|missing|bent)|"
    r"waiting (?:for )?(?:\d+|hours|an hour|over an hour)|crying|scared|terrified|panicking|distressed|"
    r"sleeping on the floor|on the floor|denied boarding|refused (?:boarding|to board|to let)|"
    r"in pain|contractions|bleeding|unwell|dehydrated|carried off|had to crawl|crawl(?:ed|ing)?)\b"
)

# Questions about a policy, and hypotheticals: not an incident.
POLICY_QUESTION = re.compile(
    r"\b(?:can i|can we|can my|can he|can she|can they|could i|could we|may i|may we|am i allowed|are we allowed|"
    r"is it (?:ok|okay|possible|allowed|safe)|allowed|permitted|policy|policies|rules?|what if|in case|"
    r"if i|if my|if we|if he|if she|if there|do you (?:allow|accept|provide|offer|have|need)|does aurora\w*|"
    r"do i need|how (?:do|can|should) i|what (?:is|are|'s) (?:the|your)|whats (?:the|your)|"
    r"what happens (?:if|when|in)|how (?:many|much|long|early|late)|is there (?:an?|any) (?:limit|age)|"
    r"up to how many|requirements?)\b"
)
QUESTION_START = re.compile(
    r"^\W*(?:can|could|may|do|does|is|are|will|would|should|what|whats|what's|how|which|when|where|am i|if)\b"
)
