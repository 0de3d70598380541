"""Word lists the parsers use to tell values from ordinary words. Pure data."""
from __future__ import annotations

# Six-letter words customers write that must never be read as a booking reference.
COMMON_WORDS = frozenset("""
    across action advice agents airbus amount answer anyone anyway around arrive asking august
    aurora autumn before behalf beyond booked boston bought branch broken bundle cancel carbon
    center centre chance change charge checks cheers choose client closed coming commit couldn
    county course credit cruise damage dating delays demand detail dinner direct doctor dollar
    domain double dublin during easter either emails engine enough ensure errors events except
    expect family father figure finish flight flying follow friday friend future garden giving
    gotten ground guests handle happen having health helped hereby honest hoping hotels hourly
    inside issued itself jersey kindly lately latest letter likely london looked losing lounge
    madrid mailed manage market member method middle minute mobile moment monday mother myself
    nearly needed nobody notice number office online orders others params parent paying people
    period person phoned please plenty points policy pounds praise pretty prices profit proper
    public reason recent record refund regard remove report rescue resend return review riding
    rights safety sample saving school screen search season seated second secure seeing select
    selves sender served server settle should signed silver simple single sister sooner sorted
    source spring status steady street strong submit summer sunday supply surely switch system
    taking target thanks thirty though thread ticket toilet travel trying twenty unable unless
    update urgent useful venice verify waited wallet wanted wasted weekly window winter within
    wonder worked worker worthy writer yellow
""".split())
# Words that are never (a whole) last name typed as an answer.
NON_NAME_WORDS = frozenset("""
    a an and are as at be because booking but can cancel change check could do does dont don't
    flight for from get go hello help hey hi how i id idk i'm is it it's its know me my need no
    nope not of ok okay on or please pls reference ref seat sorry status sure thanks thank
    that the there this to tomorrow today ty want what when where which who why will with yeah
    yes yep you your dunno none nothing look up find show tell give send got have has had about
    in into by plz thx u ur im lol just also again still here now then tonight morning evening
    afternoon all any some seat window aisle row bag bags luggage number email name surname last
    balance points refund update add extra delayed lost upgrade booked ticket tickets trip
    first family member miles file details mine was were am hiya thx cheers sir madam dear team
""".split())
FILLERS = frozenset("""
    am and are booking code confirmation email file flight here i is it it's its just mail
    me member membership miles my no number of ok okay on pls please pnr ref reference seat so
    sure thanks thank the there this to ty yes you yeah aurora new address account
""".split())
