"""Verdicts a trainee can trust: the product's detector (rules and learned heads) on words it never saw.

The paraphrases below were written to the criteria definitions for this test
file and are kept out of the training corpus (a test checks that); the
wrong verdicts seen in use are each a test of their own.
"""

import json
import re
from pathlib import Path

import pytest
from rapidfuzz import fuzz, process

from simulator.scenario import load_scenario, standard_criteria
from simulator.scoring.detector import build_detector
from simulator.scoring.training import as_transcript, macro_f1, read_jsonl

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "scenarios" / "corpus" / "replies.jsonl"
SHARED_DEV = REPO.parent / "shared" / "eval" / "replies_dev.jsonl"

PARAPHRASES = [
    ("Your comment about my hijab was offensive.", ('names_behavior',)),
    ("Calling my colleague a silly cow is completely out of order.", ('names_behavior',)),
    ("Sir, threatening to come down here and find me is flat-out unacceptable.", ('names_behavior',)),
    ("Ma'am, that remark about my weight was disrespectful.", ('names_behavior',)),
    ("that langauge u just used isnt ok", ('names_behavior',)),
    ("what u said about where im from was racsist and wont be tolerated", ('names_behavior',)),
    ("Okay, look — swearing at me like that, that's, um, that's just not acceptable.", ('names_behavior',)),
    ("Mocking the way I speak is disrespectful.", ('names_behavior',)),
    ("That was a sexist remark and it's not on. Keep comments about women out of it, please.", ('names_behavior', 'sets_expectation')),
    ("Threatening our staff is unacceptable, but I'd still like to get your boiler repair booked in.", ('names_behavior', 'redirects_to_issue')),
    ("I must ask you to moderate your language for the remainder of this call.", ('sets_expectation',)),
    ("Could you stop effing and blinding, please?", ('sets_expectation',)),
    ("Kindly refrain from remarks about my colleague's looks, madam.", ('sets_expectation',)),
    ("Sir, I'm going to need you to bring your voice down.", ('sets_expectation',)),
    ("Please quit cussing at me, okay?", ('sets_expectation',)),
    ("pls stop with the name calling, lets talk normaly", ('sets_expectation',)),
    ("can u drop the threats pls, just talk to me respectfuly", ('sets_expectation',)),
    ("Okay, so — can I ask you to, um, talk to me without all the shouting?", ('sets_expectation',)),
    ("Please stop commenting on my accent. Now, about the missing suitcase — which flight were you on?", ('sets_expectation', 'redirects_to_issue')),
    ("I know this has been a nightmare week for you; even so, I'm asking you to drop the personal insults.", ('sets_expectation', 'acknowledges_feelings')),
    ("Were this behaviour to continue, I would have no option but to close the session.", ('states_consequence',)),
    ("Any more swearing and I'll be putting the phone down, I'm afraid.", ('states_consequence',)),
    ("If you carry on shouting, I'll have to ask security to see you out of the branch.", ('states_consequence',)),
    ("Keep that up and I'm gonna disconnect this call.", ('states_consequence',)),
    ("If the threats don't stop, I'll have to call the cops.", ('states_consequence',)),
    ("if u keep saying that i have to clsoe the chat, just so u know", ('states_consequence',)),
    ("another coment about my looks and im passing u to my manger", ('states_consequence',)),
    ("Right, look, if that carries on I'm — I'm going to end this conversation, okay?", ('states_consequence',)),
    ("Please stop the name-calling. If it happens again, I'll leave the chat.", ('states_consequence', 'sets_expectation')),
    ("Those remarks about my religion are offensive, and if they continue I will pass this to my supervisor.", ('states_consequence', 'names_behavior')),
    ("Let's get back to the double charge on your card.", ('redirects_to_issue',)),
    ("Right, let's get this broadband fault sorted — what are the lights on the router doing?", ('redirects_to_issue',)),
    ("I'd really like to get your council tax bill straightened out today.", ('redirects_to_issue',)),
    ("Let's focus on getting you into a different rental car. What's the plate on the one you have?", ('redirects_to_issue',)),
    ("My goal here is to get your insurance claim moving again, so walk me through what happened.", ('redirects_to_issue',)),
    ("ok lets try to fix the login isue, what error do u see?", ('redirects_to_issue',)),
    ("im still here to help with the delivery, whats the order numbr?", ('redirects_to_issue',)),
    ("So, um, what I can do right now is — let me look at rebooking you on the later flight, yeah?", ('redirects_to_issue',)),
    ("I hear you, three missed appointments is a lot. Let's get the next one locked in.", ('redirects_to_issue', 'acknowledges_feelings')),
    ("I remain keen to resolve the billing discrepancy on your energy account.", ('redirects_to_issue',)),
    ("I shall be disconnecting you at this point. Good afternoon.", ('announces_ending',)),
    ("Right, I'm putting the phone down now. Goodbye.", ('announces_ending',)),
    ("I'm finishing the call here, I'm afraid, and my team leader will be in touch tomorrow.", ('announces_ending', 'escalates')),
    ("Okay, I'm hanging up now. Have a good one.", ('announces_ending',)),
    ("We're done here, sir. I'm disconnecting the call now.", ('announces_ending',)),
    ("closing this chat now, goodbey", ('announces_ending',)),
    ("this conversaton is finished, disconecting u now", ('announces_ending',)),
    ("Okay. Okay, I'm — I'm going to stop the call here. Bye.", ('announces_ending',)),
    ("Disconnecting now.", ('announces_ending',)),
    ("Given those racist remarks, I'm leaving this video call.", ('announces_ending', 'names_behavior')),
    ("I am transferring you to the duty manager now.", ('escalates',)),
    ("I've rung through for security to come to the front desk.", ('escalates',)),
    ("My team leader's going to take over from here — hang on a tick.", ('escalates',)),
    ("I'm getting my supervisor on the line right now, ma'am.", ('escalates',)),
    ("I'm calling 911.", ('escalates',)),
    ("ive pinged my supervsior, shes joining the chat now", ('escalates',)),
    ("pasing u over to my team lead now, they'll take it from here", ('escalates',)),
    ("Okay, um, I'm going to — I'm just gonna grab my manager, she'll come and talk to you.", ('escalates',)),
    ("What you said to my colleague is being reported to HR today.", ('escalates', 'documents')),
    ("Given the threat you have just made, I am contacting building security and the police.", ('escalates',)),
    ("This exchange will be logged as an incident on your customer record.", ('documents',)),
    ("Whilst we talk, I'm logging each of those remarks on our incident system.", ('documents',)),
    ("That's going in the incident book, I'm afraid.", ('documents',)),
    ("Heads up, I'm documenting this exchange in your file.", ('documents',)),
    ("Just so you're aware, sir, this chat transcript is being saved and flagged for review.", ('documents',)),
    ("fyi im loging this convo as an incident", ('documents',)),
    ("this chat is being saved and flaged on ur account", ('documents',)),
    ("So, er, just to let you know, I'm, I'm writing all of this down for an incident report.", ('documents',)),
    ("That threat has been recorded, and I'm handing you over to my manager.", ('documents', 'escalates')),
    ("Your comments about my ethnicity have been noted in our incident log; please refrain from any further remarks of that kind.", ('documents', 'sets_expectation')),
    ("A week without internet while working from home — that's genuinely hard.", ('acknowledges_feelings',)),
    ("I can tell you're absolutely fed up with being passed from pillar to post.", ('acknowledges_feelings',)),
    ("That's a rotten thing to happen right before your holiday, it really is.", ('acknowledges_feelings',)),
    ("I totally get why you're upset — nobody wants to be stuck at the airport overnight.", ('acknowledges_feelings',)),
    ("Dealing with a denied claim right after surgery sounds incredibly stressful.", ('acknowledges_feelings',)),
    ("i understand ur really angry about the overdraft fee, that must be so anoying", ('acknowledges_feelings',)),
    ("sounds like a realy stressful day, sorry ur dealing with this", ('acknowledges_feelings',)),
    ("Yeah, no, I — I can hear you're really worried about your mum's appointment.", ('acknowledges_feelings',)),
    ("I appreciate how distressing it must be to find your account frozen without warning.", ('acknowledges_feelings',)),
    ("Losing the same parcel twice would drive anyone mad, but the name-calling needs to stop.", ('acknowledges_feelings', 'sets_expectation')),
    ("To confirm, you were charged twice for the same hotel booking in March.", ('restates_problem',)),
    ("So the engineer's been out three times and the boiler still won't heat the water — have I got that right?", ('restates_problem',)),
    ("Let me make sure I follow: your bins haven't been collected for a fortnight?", ('restates_problem',)),
    ("Okay, so your cell plan got switched without your okay, and now the bill's doubled?", ('restates_problem',)),
    ("Just so I'm clear — the store charged you for the extended warranty you declined at checkout?", ('restates_problem',)),
    ("so u ordered the blue sofa and they delivred a grey one, is that rigth?", ('restates_problem',)),
    ("ok so ur saying the app logs u out evry time u try to pay?", ('restates_problem',)),
    ("Right, so, what you're telling me is — the prescription went to the wrong pharmacy, yeah?", ('restates_problem',)),
    ("So you booked a table for six and arrived to find no reservation.", ('restates_problem',)),
    ("So the refund still hasn't landed after three weeks. That's a long time to wait, I get it.", ('restates_problem', 'acknowledges_feelings')),
    ("Maybe if you read the email you wouldn't be so confused.", ('retaliates',)),
    ("Oh brilliant, another bright spark who can't find the on switch.", ('retaliates',)),
    ("Honestly, you're a bloody nightmare, you know that?", ('retaliates',)),
    ("Wow, congrats, you figured out how to yell. Want a medal?", ('retaliates',)),
    ("Nobody's forcing you to stick around, buddy. Go cry to someone else.", ('retaliates',)),
    ("lol ok keep typing in caps, real matrue", ('retaliates',)),
    ("wow ur such a moron, cant even read ur own bil", ('retaliates',)),
    ("Oh, oh, here we go, the big man shouting down the phone again, yeah?", ('retaliates',)),
    ("You're the one being an idiot here, and I'm hanging up.", ('retaliates', 'announces_ending')),
    ("How very impressive, sir. I'm sure your mother is terribly proud.", ('retaliates',)),
    ("Fair enough, I probably am an idiot.", ('appeases_abuse',)),
    ("Honestly, don't worry about the language, love, it's water off a duck's back.", ('appeases_abuse',)),
    ("Sorry for being so thick, you're quite right to have a go at me.", ('appeases_abuse',)),
    ("No, yeah, you're totally right to yell at me, I'm sorry.", ('appeases_abuse',)),
    ("Call me whatever you want, sir, it's no big deal.", ('appeases_abuse',)),
    ("sorry sorry ur right im hopless at my job", ('appeases_abuse',)),
    ("no worries about the swearing, i dont mind at all relly", ('appeases_abuse',)),
    ("Oh — okay, yeah, I'm sorry, I'm sorry you had to shout, that's on me.", ('appeases_abuse',)),
    ("Please accept my apologies for provoking your remarks; I deserved them.", ('appeases_abuse',)),
    ("Yeah, I'm an idiot, my bad. Anyway, let's sort out your phone bill.", ('appeases_abuse', 'redirects_to_issue')),
    ("Should you threaten my colleague again, I will call security.", ('states_consequence',)),
    ("Unless the shouting stops, this chat ends in the next minute.", ('states_consequence',)),
    ("keep this up and im calling the polce", ('states_consequence',)),
    ("I'm not ending the chat — I'd rather we got your card unblocked.", ('redirects_to_issue',)),
    ("There's no manager on shift tonight, I'm afraid.", ()),
    ("I'm not going to transfer you to a supervisor for this — I can take care of it myself.", ('redirects_to_issue',)),
    ("The way our driver spoke to you was inappropriate.", ()),
    ("Frankly, the queues on our helpline are not acceptable.", ()),
    ("the delay on ur refund is unaceptable tbh", ()),
    ("I've noted your preferred callback time as after 5pm.", ()),
    ("Got it, I've logged the odometer reading from your drop-off.", ()),
    ("ive added a note that ur allergc to nuts for the booking", ()),
    ("You called me a moron just now, and that's not acceptable.", ('names_behavior',)),
    ("I won't repeat the word you used, but describing my colleague that way is racist.", ('names_behavior',)),
    ("Calling me 'darling' and 'sweetheart' in that tone is patronising and sexist.", ('names_behavior',)),
    ("Apologies, we've had you on the wrong tariff since January.", ()),
    ("Sorry, that's our mistake — the booking went through for the wrong date.", ()),
    ("sorry our sytem double charged u, thats on us", ()),
    ("I'd be grateful if you could leave my appearance out of this.", ('sets_expectation',)),
    ("It would really help if we could both keep our voices down.", ('sets_expectation',)),
    ("if u could stop with the caps and the swaering that would be great", ('sets_expectation',)),
    ("The store manager authorised the replacement this morning.", ()),
    ("I'm closing out the ticket now that the fix is confirmed.", ()),
    ("I'll cancel the policy from the end of this month, as you asked.", ()),
    ("If the parcel isn't back at the depot by Monday, the refund goes out automatically.", ()),
    ("I'll email you the quarterly usage report this afternoon.", ()),
    ("Our records show the payment cleared on the 4th.", ()),
    ("i wont disconect u, whats the account numbr?", ('redirects_to_issue',)),
    ("Okay, so you're saying the agent before me called you a liar — is that right?", ('restates_problem',)),
    ("Your contract ends on the 30th, so there's no exit fee.", ()),
]


# Negated or refused acts (the close-case rule: they do not count), written for this test and kept out of the corpus
# (scripts/corpus_add.py refuses replies near them). Each with the criterion it must not be given.
NEGATED = [
    ("I'm not ending the call, I want to sort this out with you.", 'announces_ending'),
    ("I won't end this conversation, I'm here to help.", 'announces_ending'),
    ('I will not be ending this call over a late parcel.', 'announces_ending'),
    ("i'm not hanging up, tell me about the parcel", 'announces_ending'),
    ("Nobody is cutting you off, we'll get through this together.", 'announces_ending'),
    ("I'm not about to close the chat on you, let's look at the invoice.", 'announces_ending'),
    ("This conversation isn't over, I still want to fix your booking.", 'announces_ending'),
    ("I have no intention of disconnecting you, so let's carry on.", 'announces_ending'),
    ("I'm not going to terminate the call just because you're annoyed.", 'announces_ending'),
    ("we're not done yet, i still need ur postcode", 'announces_ending'),
    ("I won't be transferring you to a manager, I can handle this myself.", 'escalates'),
    ("There's no need to get a supervisor involved, I can help you right now.", 'escalates'),
    ("We don't need security, everything is fine.", 'escalates'),
    ("I'm not passing this to HR, it's just a misunderstanding.", 'escalates'),
    ("i'm not calling the police, relax, let's just sort the refund", 'escalates'),
    ("My team leader isn't going to be brought into this, I promise.", 'escalates'),
    ("I'd rather not hand you over to someone else, I know this account well.", 'escalates'),
    ("I'm not writing anything down, don't worry, just tell me what happened.", 'documents'),
    ("I'm not going to report this, let's move on.", 'documents'),
    ('Nothing about this call is going on your record.', 'documents'),
    ('i wont be filing a complaint about u, lets get the tv fixed', 'documents'),
    ("I'm not logging this as an incident, it was a fair question.", 'documents'),
    ("I'm not threatening to end the call, I just want us to get on with it.", 'states_consequence'),
    ('There\'s no "or else" here, I simply want to help with the meter.', 'states_consequence'),
    ("I'm not saying your behaviour is unacceptable, I just want to help.", 'names_behavior'),
    ("i'm not accusing you of being rude, just asking for the order number", 'names_behavior'),
    ("I'm not calling you stupid, I'm saying the form is confusing.", 'retaliates'),
    ("I'm not sorry for asking you to stop swearing.", 'appeases_abuse'),
    ("Don't worry, I'm staying on the line until this is fixed.", 'announces_ending'),
    ("Hanging up isn't something I'd do to you, let's keep going with the claim.", 'announces_ending'),
    ('i wont be closing this chat until the voucher works', 'announces_ending'),
    ("We're not finished here, I still need to check the meter reading.", 'announces_ending'),
    ("I'm not walking away from this conversation, tell me what the engineer said.", 'announces_ending'),
    ("No, I'm not getting a supervisor on the phone, I can process the return myself.", 'escalates'),
    ("Security won't be called, there's nothing to worry about.", 'escalates'),
    ("i'm not sending this up to my manager, i can fix it from here", 'escalates'),
    ("Involving the police isn't necessary, let's just check the delivery photo.", 'escalates'),
    ('Nothing gets written up from this call, I promise.', 'documents'),
    ("i'm not putting a note on ur file, just need the last four digits", 'documents'),
    ("This won't be reported anywhere, let's look at the bill.", 'documents'),
    ("There won't be any consequences for you, I just need the booking number.", 'states_consequence'),
    ("I'm not calling your language offensive, I only want the reference.", 'names_behavior'),
    ("I'd never call a customer an idiot, and I'm not doing it now.", 'retaliates'),
    ("I won't apologise for asking you to lower your voice.", 'appeases_abuse'),
]


@pytest.fixture(scope="module")
def detector():
    d = build_detector(standard_criteria())
    assert d.learned is not None, d.notice  # the tests run with the heads and word vectors installed
    return d


def labels(detector, text, spoken=False):
    return {m.criterion for m in detector.detect(text, spoken=spoken)}


# -- the wrong verdicts a new user met ---------------------------------------------------

@pytest.mark.parametrize("text", ["i am so sorry for the delay with your refund",
                                  "I am so sorry for the delay with your refund."])
def test_apologising_for_a_real_delay_is_not_appeasing(detector, text):
    assert "appeases_abuse" not in labels(detector, text)


# A trainee who slipped and took it back was told they appeased the abuse (a second wave's trial, in the app).
@pytest.mark.parametrize("text", ["sorry i didnt mean that. i want to help u get ur internet back",
                                  "Sorry, I didn't mean that. I want to help you get your internet back."])
def test_taking_back_your_own_remark_is_not_appeasing(detector, text):
    assert "appeases_abuse" not in labels(detector, text)


@pytest.mark.parametrize("text", ["i will see what happens to your parcel", "I will see what happens to your parcel."])
def test_chasing_a_parcel_is_not_a_threat(detector, text):
    assert "retaliates" not in labels(detector, text)


@pytest.mark.parametrize("text", ["is it acceptable to pay by card", "Is it acceptable to pay by card?"])
def test_a_question_about_payment_names_no_behaviour(detector, text):
    assert "names_behavior" not in labels(detector, text)


@pytest.mark.parametrize("text,word", [("You're an idiot.", "idiot"), ("honestly you sound stupid", "stupid"),
                                       ("What a loser.", "loser")])
def test_insults_aimed_at_the_customer_are_retaliation_and_quoted(detector, text, word):
    m = next(m for m in detector.detect(text) if m.criterion == "retaliates")
    assert word in m.quote and text[m.start:m.end] == m.quote


@pytest.mark.parametrize("text,word", [("yeah ur a loser", "loser"), ("ur so pathetic", "pathetic"),
                                       ("Oh, do shut up for a minute.", "shut up")])
def test_chat_insults_are_retaliation_too(detector, text, word):
    # Chat's "ur" before an article or adverb is "you're"; before a noun it stays "your" (next test).
    m = next(m for m in detector.detect(text) if m.criterion == "retaliates")
    assert word in m.quote


def test_chat_ur_before_a_noun_is_your():
    from simulator.scoring.phrases import normalise_words
    assert normalise_words("ur refund is on its way") == ["your", "refund", "is", "on", "its", "way"]
    assert normalise_words("ur not listening") == ["you", "are", "not", "listening"]
    # "you're" only where "ur" starts a clause; "right" and "wrong" only at its end
    assert normalise_words("so sorry about ur totally ridiculous wait")[3] == "your"
    assert normalise_words("ur right to a refund")[0] == "your"
    assert normalise_words("ok ur right") == ["okay", "you", "are", "right"]


def test_chat_ur_inside_a_clause_is_no_insult(detector):
    assert "retaliates" not in labels(detector, "so sorry about ur totally ridiculous wait time")


@pytest.mark.parametrize("text", ["Calling me an idiot is not okay.", "calling me a loser isnt ok",
                                  "You said I was stupid, and I won't accept that."])
def test_naming_the_customers_insult_is_not_retaliation(detector, text):
    got = labels(detector, text)
    assert "retaliates" not in got and "names_behavior" in got


def test_a_negated_or_refused_act_is_not_counted(detector):
    """The close-case rule, on replies written for this test (NEGATED), tidy and as chat. Before the corpus learnt
    negated acts (and the rules learnt denials) 70 of 88 were right; a bag of words still takes "I will not be
    ending this call over ..." for an ending ("call over"), so the bar is 85 %, not all."""
    right = [c not in labels(detector, t) for text, c in NEGATED for t in (text, as_transcript(text))]
    assert sum(right) / len(right) >= 0.85, f"{sum(right)} of {len(right)}"


def test_typed_lower_case_is_typed_not_speech(detector):
    # A typed turn is matched as typed however it is written: no spoken-only phrases, no misheard-word table.
    from simulator.engine import Session
    sf = load_scenario(REPO / "scenarios" / "swearing-caller.yaml")
    session = Session(sf, detector, seed=1)
    session.start()
    session.reply("i am so sorry for the delay with your refund")
    turn = next(t for t in session.turns if t.speaker == "trainee")
    assert turn.source == "typed" and "appeases_abuse" not in turn.criteria


# -- words the detector never saw ----------------------------------------------------------

def test_paraphrases_written_for_this_test_are_recognised(detector):
    predicted = [labels(detector, text) for text, _ in PARAPHRASES]
    wanted = [set(want) for _, want in PARAPHRASES]
    assert macro_f1(predicted, wanted, list(standard_criteria())) >= 0.88
    for criterion in standard_criteria():
        positives = [p for p, w in zip(predicted, wanted) if criterion in w]
        assert sum(criterion in p for p in positives) / len(positives) >= 0.6, criterion


def test_replies_by_new_writers_labelled_blind_score_as_the_corpus_does(detector):
    """372 replies written without sight of the corpus, each labelled again blind (tests/data/replies_blind.jsonl);
    the product detector scored macro-F1 0.96 typed and 0.95 chat-style on them when they were written."""
    from simulator.scoring.training import per_criterion
    rows = read_jsonl(REPO / "tests" / "data" / "replies_blind.jsonl")
    ids = sorted({c for r in rows for c in r["labels"]})
    for text_of in (lambda t: t, as_transcript):
        per = per_criterion([labels(detector, text_of(r["text"])) for r in rows], [set(r["labels"]) for r in rows], ids)
        assert sum(s[2] for s in per.values()) / len(per) >= 0.92


def test_chat_style_typing_scores_like_tidy_typing(detector):
    # The same words in lower case without punctuation get the same labels (typed both times).
    predicted = [labels(detector, text) for text, _ in PARAPHRASES]
    chatty = [labels(detector, as_transcript(text)) for text, _ in PARAPHRASES]
    same = sum(a == b for a, b in zip(predicted, chatty))
    assert same / len(PARAPHRASES) >= 0.9


def test_uncertain_verdicts_never_count_against_the_trainee():
    from simulator.engine.turn import Turn
    from simulator.scoring import Match, score_session
    sf = load_scenario(REPO / "scenarios" / "swearing-caller.yaml")
    start = sf.scenario.start_node
    turns = [Turn(0, "customer", "line", node=start, text="..."),
             Turn(1, "trainee", "reply", node=start, text="well aren't you a delight",
                  matches=(Match("retaliates", 0, 25, "well aren't you a delight", probability=0.7, uncertain=True),))]
    result = score_session(sf, turns)
    verdict = next(v for d in result.dimensions for v in d.verdicts if v.item == "retaliates")
    assert verdict.status == "violated" and verdict.uncertain
    professionalism = next(d for d in result.dimensions if any(v.item == "retaliates" for v in d.verdicts))
    assert professionalism.score == 100.0


def test_every_score_records_the_detector_that_decided_it(detector):
    from simulator.practice import detector_for
    from simulator.scoring import score_session
    sf = load_scenario(REPO / "scenarios" / "swearing-caller.yaml")
    version = detector_for(sf).version
    # rules + typed heads + spoken heads + word vectors + contextual heads + sentence model + the two retrained layer pairs
    assert version.count("+") == 7
    assert score_session(sf, [], detector_version=version).versions["detector"] == version


def test_a_learned_verdict_quotes_the_sentence_that_showed_it(detector):
    from simulator.scoring.learned import segments
    quoted = 0
    for text, _ in PARAPHRASES:
        parts = {text.strip()} | {text[s:e].strip() for s, e in segments(text, False)}
        for m in detector.detect(text):
            assert text[m.start:m.end] == m.quote
            if m.probability is not None:  # decided by a head: the quote is the reply or one of its sentences
                assert m.quote in parts
                quoted += 1
    assert quoted >= 10


# -- the corpus ---------------------------------------------------------------------------

def test_the_corpus_is_big_varied_and_split():
    rows = read_jsonl(CORPUS)
    assert len(rows) >= 2000
    for criterion in standard_criteria():
        assert sum(criterion in r["labels"] for r in rows) >= 100, criterion
    assert sum(r["kind"] == "near_miss" for r in rows) >= 400
    assert sum(len(r["labels"]) > 1 for r in rows) >= 200
    assert {r["split"] for r in rows} == {"train", "validation", "test"}
    assert all(2 <= len(r["text"].split()) <= 60 for r in rows)
    # No template: no opening of three words starts more than 5% of the replies.
    openings = {}
    for r in rows:
        key = " ".join(re.findall(r"[a-z']+", r["text"].lower())[:3])
        openings[key] = openings.get(key, 0) + 1
    assert max(openings.values()) / len(rows) <= 0.05


def test_the_corpus_holds_no_test_paraphrase_or_blind_set_reply():
    texts = [as_transcript(r["text"]) for r in read_jsonl(CORPUS)]
    blind = [(r["text"], None) for r in read_jsonl(REPO / "tests" / "data" / "replies_blind.jsonl")]
    for text, _ in PARAPHRASES + NEGATED + blind:
        hit = process.extractOne(as_transcript(text), texts, scorer=fuzz.ratio, score_cutoff=90)
        assert hit is None, (text, hit)


@pytest.mark.skipif(not SHARED_DEV.exists(), reason="the shared development set is not beside the repo")
def test_the_corpus_holds_no_development_set_sentence():
    texts = [as_transcript(r["text"]) for r in read_jsonl(CORPUS)]
    for row in read_jsonl(SHARED_DEV):
        hit = process.extractOne(as_transcript(row["text"]), texts, scorer=fuzz.ratio, score_cutoff=90)
        assert hit is None, (row["text"], hit)


def test_the_corpus_has_no_near_duplicates():
    texts = sorted(as_transcript(r["text"]) for r in read_jsonl(CORPUS))
    # Neighbours in sorted order catch the common case (same opening) quickly; a full pairwise check runs in
    # the assembly script.
    close = [(a, b) for a, b in zip(texts, texts[1:]) if fuzz.ratio(a, b) > 90]
    assert close == []


# -- the classify command -----------------------------------------------------------------

def test_classify_takes_the_source_per_line(tmp_path, capsys):
    from simulator.cli import main
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "text": "pls dont swear at me"}) + "\n"
                   + json.dumps({"id": "b", "text": "please stop swearing at me", "source": "spoken"}) + "\n")
    assert main(["classify", str(src)]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [o["id"] for o in out] == ["a", "b"]
    assert all("sets_expectation" in o["labels"] for o in out)
    assert all(set(o["uncertain"]) <= set(o["labels"]) for o in out)


def test_classify_says_how_its_parts_run_when_asked(tmp_path, capsys):
    from simulator.cli import main
    lines = tmp_path / "r.jsonl"
    lines.write_text(json.dumps({"id": 1, "text": "please stop swearing"}) + "\n")
    assert main(["classify", "--verbose", str(lines)]) == 0
    said = capsys.readouterr().err
    assert "detector: rules+" in said and "retrained layers: typed ONNX Runtime, spoken ONNX Runtime" in said
    assert main(["classify", "--verbose", "--without-sentence-model", str(lines)]) == 0
    assert "without the sentence model" in capsys.readouterr().err


def test_classify_refuses_an_unknown_source(tmp_path, capsys):
    from simulator.cli import main
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "text": "hello", "source": "shouted"}) + "\n")
    assert main(["classify", str(src)]) == 2
    assert f"{src}:1" in capsys.readouterr().err


def test_every_shipped_scenario_passes_its_own_tests_with_the_product_detector():
    from simulator.engine.checkup import run_test
    from simulator.practice import detector_for
    for path in sorted((REPO / "scenarios").glob("*.yaml")):
        if path.name in ("criteria.yaml", "policy.yaml"):
            continue
        sf = load_scenario(path)
        for test in sf.scenario.tests:
            outcome = run_test(sf, test, detector_for(sf))
            assert outcome.passed, f"{path.name}: {outcome.name}: {outcome.failures}"


def test_an_uncertain_thing_to_avoid_does_not_steer_the_conversation():
    from simulator.engine import Session
    from simulator.scoring import Match

    class Unsure:
        version = "test"

        def __init__(self, uncertain):
            self.uncertain = uncertain

        def detect(self, text, *, spoken=False, confidences=None):
            return [Match("retaliates", 0, len(text), text, probability=0.9, uncertain=self.uncertain)]

    sf = load_scenario(REPO / "scenarios" / "sexist-caller.yaml")
    paths = []
    for uncertain in (True, False):
        session = Session(sf, Unsure(uncertain), seed=0)
        session.start()
        session.reply("Ha, thank you.")
        paths.append(session.path[-1])
    assert paths[0] != "sulks" and paths[1] == "sulks"


def test_training_refits_heads_and_a_criterion_with_few_examples_keeps_its_rules(tmp_path, capsys):
    import shutil

    from simulator.cli import main
    from simulator.scoring.learned import Heads
    rows = read_jsonl(CORPUS)
    small = [r for r in rows if r["split"] == "train"][:400] + [r for r in rows if r["split"] == "validation"][:80]
    corpus = tmp_path / "replies.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in small))
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text((REPO / "scenarios" / "criteria.yaml").read_text()
                        + "\n  - id: thanks_caller\n    dimension: manners\n    description: thanks the caller\n"
                        "    phrases: ['thank you for calling']\n"
                        "    examples:\n      yes: [Thank you for calling us today.]\n      no: [Goodbye.]\n")
    shutil.copy(REPO / "scenarios" / "criteria.schema.json", tmp_path)
    out = tmp_path / "heads"
    assert main(["train", "--criteria", str(criteria), "--corpus", str(corpus), "--roundtrips",
                 str(tmp_path / "none.jsonl"), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "notice: thanks_caller has no learned head" in printed and "typed: macro-F1" in printed
    heads = Heads.load(out / "typed.npz")
    assert "thanks_caller" in heads.criteria and len(heads.version) == 16


def test_without_heads_the_rules_score_alone_and_say_so(tmp_path):
    d = build_detector(standard_criteria(), folder=tmp_path)
    assert d.learned is None and "simulator train" in d.notice
    assert "sets_expectation" in labels(d, "Please stop swearing at me.")


def test_a_reply_that_skips_the_boundary_is_answered_not_taken_for_silence():
    # Found trying the app: sympathy and an offer to check the payment got the customer's line for a trainee
    # who said nothing ("Well? Are you going to say something...").
    from simulator.engine.session import Session
    from simulator.practice import detector_for
    sf = load_scenario(REPO / "scenarios" / "apologises-after-boundary.yaml")
    replied = Session(sf, detector_for(sf), seed=0)
    replied.start()
    replied.reply("sorry to hear that, i can check the double payment for you")
    silent = Session(sf, detector_for(sf), seed=0)
    silent.start()
    silent.silence()
    assert replied.path[-1] != silent.path[-1] == "carries_on"


def test_training_reads_replies_as_the_heads_do_at_run_time():
    """Training builds all replies' features at once (for speed); each row must be what Heads.features makes of
    that reply in a call (to float32 rounding), or the heads would learn one thing and be asked another."""
    import numpy as np
    from simulator.scoring.learned import Heads
    from simulator.scoring.training import word_features

    texts = tuple(r["text"] for r in read_jsonl(REPO / "scenarios" / "corpus" / "replies.jsonl")[:300])
    texts += tuple(as_transcript(t) for t in texts) + ("ok", "")
    vocab, idf, matrix = word_features(texts)
    heads = Heads(["x"], vocab, idf, np.zeros((len(vocab), 1)), np.zeros(1), np.ones(1), np.zeros((1, 1)),
                  np.zeros(1), np.full(1, 0.5), np.full(1, 0.6), np.zeros(1), "")
    for i, text in enumerate(texts):
        idx, values = heads.features(text)
        row = matrix.getrow(i)
        order = np.argsort(idx)
        assert list(row.indices) == [idx[j] for j in order], text
        assert np.allclose(row.data, values[order], rtol=1e-5, atol=0), text  # float32 rounding apart


@pytest.mark.parametrize("spoken", [False, True])
def test_training_scores_held_out_replies_as_a_call_does(spoken):
    """Thresholds are chosen on all held-out replies scored at once (for speed): each must get the probability
    the detector gives it in a call, the best over the reply and its sentences or windows."""
    import numpy as np
    from simulator.scoring.detector import build_detector
    from simulator.scoring.training import held_probabilities

    learned = build_detector(standard_criteria()).learned
    rows = read_jsonl(REPO / "scenarios" / "corpus" / "replies.jsonl")[:200]
    rows = [{"text": as_transcript(r["text"]) if spoken else r["text"]} for r in rows] + [{"text": ""}]
    plain = type(learned)(learned.typed, learned.spoken, learned.embedder)  # the static heads, as training has them
    heads = plain.heads_for(spoken)
    batch = held_probabilities(plain, rows, spoken, heads.criteria)
    one_by_one = [[plain.probabilities(r["text"], spoken=spoken)[0][c] for c in heads.criteria] for r in rows]
    assert np.allclose(batch, one_by_one, rtol=1e-4, atol=1e-5)


def test_the_shipped_fit_is_closer_than_a_quick_one():
    """`simulator train` fits the heads closer than scikit-learn's default (typed validation 0.907 -> 0.916);
    `--quick` keeps the default for a coach trying out examples. Closer means a lower regularised loss."""
    import numpy as np
    from scipy.sparse import csr_matrix, hstack

    from simulator.scoring.embedding import load_embedder
    from simulator.scoring.training import (C_TYPED, FIT_TOL, QUICK_FIT_TOL, _fit_head, examples, log_count_ratio,
                                            word_features)

    rows = [r for r in read_jsonl(CORPUS) if r["split"] == "train"][:1500]
    data = examples(standard_criteria(), rows, (), spoken=False)
    _, _, X = word_features(tuple(e.text for e in data))
    E = load_embedder().embed_many([e.text for e in data])
    E = (E - E.mean(0)) * (0.03 / (E.std(0) + 1e-6))
    present = X.copy()
    present.data[:] = 1.0
    y = np.array(["names_behavior" in e.labels for e in data], dtype=int)
    weight = np.ones(len(y))

    def loss(tol: float) -> float:
        w, e, b = _fit_head(hstack([X, csr_matrix(E)]).tocsr(), present, X.shape[1], y, weight, False, tol)
        z = (X @ w + E @ e + b) * np.where(y == 1, 1, -1)
        ratio = log_count_ratio(present, y)  # the fit's own weights are the returned ones over the ratio
        own = w / np.where(ratio == 0, 1, ratio)
        return float(C_TYPED * np.logaddexp(0, -z).sum() + 0.5 * (own @ own + e @ e))

    assert FIT_TOL < QUICK_FIT_TOL and loss(FIT_TOL) < loss(QUICK_FIT_TOL)


def test_a_refit_begins_where_the_heads_in_place_left_off():
    """`simulator train` begins the solver from the heads already in the output folder (32 s instead of 101 s here):
    carried over to a new fit's features (another order, a vocabulary that lost and gained n-grams, the vectors
    scaled anew), each criterion's logit for a reply is what the old heads gave it."""
    import numpy as np

    from simulator.scoring.detector import build_detector
    from simulator.scoring.training import warm_start

    learned = build_detector(standard_criteria()).learned
    old = learned.typed
    kept = sorted(old.vocab)[::2]  # half the old features, in another order, and one it never had
    vocab = {k: i for i, k in enumerate(["w:never-seen-before"] + kept[::-1])}
    rng = np.random.default_rng(0)
    mean = old.emb_mean + rng.normal(0, 0.01, old.emb_mean.shape).astype(np.float32)
    scale = old.emb_scale * rng.uniform(0.8, 1.2, old.emb_scale.shape).astype(np.float32)
    begin = warm_start(old, old.criteria, vocab, mean, scale, old.embedder_version)
    assert set(begin) == {c for c, b in zip(old.criteria, old.bias) if b > -29}
    text = "That language is not acceptable; I can look at the refund once it stops."
    vector = learned.embedder.embed(text)
    idx, values = old.features(text)
    order = sorted(old.vocab, key=old.vocab.get)
    in_both = [(i, v) for i, v in zip(idx, values) if order[i] in vocab]
    for cid, (words, emb, bias) in begin.items():
        k = old.criteria.index(cid)
        want = old.bias[k] + ((vector - old.emb_mean) * old.emb_scale) @ old.emb_weights[:, k] + sum(
            v * old.weights[i, k] for i, v in in_both)
        got = bias + ((vector - mean) * scale) @ emb + sum(v * words[vocab[order[i]]] for i, v in in_both)
        assert got == pytest.approx(want, abs=1e-3), cid
        assert words[vocab["w:never-seen-before"]] == 0
    other = warm_start(old, old.criteria, vocab, mean, scale, "other-vectors")
    assert all(not e.any() for _, e, _ in other.values())  # vectors of another version give no starting point


def test_a_damaged_heads_file_only_means_fitting_from_zero(tmp_path, capsys):
    # A run stopped while saving used to leave half a file, and the next `simulator train` stopped on it.
    from simulator.cli.train import _heads_in
    from simulator.scoring.detector import build_detector
    good = build_detector(standard_criteria()).learned.spoken
    good.save(tmp_path / "spoken.npz")
    assert not list(tmp_path.glob("*.part.npz"))  # saved beside, then moved over
    (tmp_path / "typed.npz").write_bytes((tmp_path / "spoken.npz").read_bytes()[:1000])
    (tmp_path / "typed-minilm.npz").write_bytes(b"")
    found = _heads_in(tmp_path)
    assert set(found) == {"spoken"} and found["spoken"].criteria == good.criteria
    assert capsys.readouterr().err.count("could not be read") == 2


def test_a_reply_heard_with_the_british_setting_is_measured_as_heard_so_and_not_learned_from():
    from simulator.scoring.training import as_the_product_hears, learned_from
    rows = [
        {"id": "a", "voice": "en-gb", "model": "domain", "text": "and i have passed it on"},
        {"id": "a", "voice": "en-gb", "model": "domain", "accent": "british", "text": "and i have passed it on"},
        {"id": "a", "voice": "en-gb", "text": "an i halved past it on"},  # the generic model's hearing
        {"id": "b", "voice": "en-us", "model": "domain", "text": "i will end the call"},
    ]
    heard = as_the_product_hears(rows)
    assert [(r["id"], r.get("accent")) for r in heard] == [("a", "british"), ("b", None)]  # one hearing per reply
    assert all(not r.get("accent") for r in learned_from(rows)) and len(learned_from(rows)) == 3
