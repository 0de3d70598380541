"""Common English words, social-media slang and airline-care words (lower case, no
apostrophes). A message made mostly of these is English, however short.

Words that are also everyday words in another candidate language ("a", "no", "me", "on",
"in", "am", "bin", "die", "also", "so", "son", "car", "plus", "chat", "door", "men",
"van", "ya"...) are left out on purpose, so that they do not make a foreign sentence
look English.
"""
from typing import FrozenSet

ENGLISH_WORDS: FrozenSet[str] = frozenset(
    """
    able about above account list across address after afternoon again against agent agents
    aircraft airline airlines airport airports aisle all allowance along already although
    always amazing among and angry annoyed another answer answered answers any anybody
    anyhow anymore anyone anything anyway anywhere apologies app are arent around arrival
    arrivals arrive arrived as asap ask asked asking asks at attendant attendants awesome
    awful babies baby backpack bad bag baggage bags bank bc be because been before being
    below best better between big birth blanket board boarded boarding book booked booking
    books both bought brilliant bring brings bro broken brother brought btw bus business but
    buy by cabin call called calling calls came can cancel canceled cancellation
    cancellations cancelled cancelling cannot cant captain card carried carries carry
    carryon case cash cat cats center centre change changed changes changing charge charged
    cheap check checked checkin cheers child children choose chose claim claims class comes
    coming company compensation complaint complaints confirmation connecting connection
    connections cos cost could couldnt counter coz credit crew customer customers cuz dad
    damaged date dates daughter day days debit decide decided delay delayed delays depart
    departed departure departures desk destination did didnt different disappointed
    disgusting dm dms do does doesnt dog dogs doing dollars done dont down downgrade
    downgraded drink drinks dude during each early economy eight either eleven email empty
    end enjoy enjoyed entertainment euros even evening ever every everybody everyone
    everything everywhere excellent exit expensive experience explain explained family
    fantastic father fee feel feeling fees felt find finding finds fine first five flew
    flight flights fly flying folks food for forget forgot forgotten form found four free
    friend friends from frustrated full furious fyi gate gates gave get gets getting gimme
    give given gives giving go goes going gold gone gonna good got gotta gotten grandma
    grandpa great guys had hadnt hand handbag happen happened happening happy has hasnt hate
    hated have havent having he headphones hear heard hed hello help helped helpful helping
    helps her here heres hers herself hes hey hi high him himself his hiya hold holiday home
    hope hoped horrible hotel hour hours house how hows hr hrs human hundred husband i id
    idk if ill imho imo impossible info information into invoice is isnt issue issues it
    item items itinerary its itself ive journey just keep keeping keeps kept kg kid kids
    kinda knew know known knows land landed landing last late later layover least leave
    leaves leaving left legroom lemme less let lets level levels light like liked line
    little live lived lmao lmfao login lol long look looked looking looks lose losing lost
    lounge love loved lovely low luggage made mail main make makes making manager many mate
    may meal meals member membership middle might miles min mine mins minute minutes miss
    missed missing mom money month months more morning most mother move moved movie movies
    much mum must my myself name names need needed needing needs neither never new next nice
    night nine nobody none noone nope nor not nothing now nowhere number of off office often
    ok okay old omg one online only onto option options or order other ought our ours
    ourselves out over overhead own paid parents parking part partner passenger passengers
    passport password pathetic pay paying payment pays people perfect person pet pets phone
    pickup pillow pilot pilots pizza place places plane planes platinum please pls plz point
    points poor possible pounds ppl premium price problem problems program programme put
    puts question questions queue ran rating read real really reason reasons rebook rebooked
    rebooking receipt ref reference refund refunded refunds remember remembered rent rental
    replied replies reply request requests rescheduled reservation respond responded
    response return review reviews ridiculous right rn rofl row rude run running runway sad
    said same sat saw say saying says schedule scheduled screen seat seats second seconds
    security see seeing seem seemed seems seen sees sell send sending sends sent service
    services seven shall she shes short should shouldnt show showed shown shows side silver
    since sister sit site six size small smh sold some somebody someone something sometimes
    somewhere soon sorry sorta speak spoke staff stand standard star stars start started
    status stay stayed staying still stood stop stopped stopping stranded stuck stuff such
    suitcase suitcases supervisor support sure surname take taken takes taking talk talked
    talking tarmac taxi tbh team tell telling tells ten terminal terrible than thank thanks
    thankyou that thats the their theirs them themselves then there theres these they theyd
    theyre theyve thing things think thinks third thirty this tho those though thought
    thousand three through thru thx ticket tickets tier tiers till time times tmr tmrw to
    today told tomorrow tonight too took train transfer transport travel traveled traveling
    travelled travelling tried tries trip true try trying twelve twenty two ty tysm u unable
    unacceptable under understand understood unless until up update updates upgrade upgraded
    upon upset ur us use used useless using usually vacation very visa voucher vouchers wait
    waited waiting waits walk walked wanna want wanted wanting wants was wasnt water way
    ways we website wed week weekend weeks weight well went were weve what whatever whats
    when whenever whens where wheres wherever whether which while who whole whom whos whose
    why whys wife wifi will window with within without wonderful wont work worked working
    works worse worst would wouldnt wow write written wrong wrote wtf yall yeah year years
    yep yes yesterday yet you youd youll young your youre yours yourself youve yup zero
    """.split()
)
