"""Pronunciations without the r (simulator/speech/accents.py): the rules, the file, and the decoders reading it."""

import pytest

from simulator.speech import accents


@pytest.mark.parametrize("american, british", [
    ("K AA R", "K AA"),  # car: the vowel alone
    ("M AO R", "M AO"),  # more
    ("HH IY R", "HH IY AH"),  # here: a centring glide
    ("K EH R", "K EH AH"),  # care
    ("B EH T ER", "B EH T AH"),  # better
    ("N ER S", "N AH S"),  # nurse
    ("K AA R D Z", "K AA D Z"),  # cards: before a consonant too
])
def test_an_r_with_no_vowel_after_it_is_dropped(american, british):
    assert accents.without_r(american.split()) == british.split()


@pytest.mark.parametrize("phones", ["V EH R IY", "K AE R IY", "R EH D", "S AO R IY"])  # very, carry, red, sorry
def test_an_r_before_a_vowel_stays(phones):
    assert accents.without_r(phones.split()) == phones.split()


def test_variants_are_added_after_the_american_entries_with_the_next_number():
    lines = ["care K EH R", "care(2) K AE R", "read R IY D", "car K AA R", "car(2) K AA R"]
    out = accents.with_variants(lines)
    assert out[:5] == lines  # American pronunciations stay, in order
    assert out[5:] == ["care(3) K EH AH", "care(4) K AE", "car(3) K AA"]  # one variant per distinct sound


def test_the_file_is_made_once_and_named_by_its_inputs(tmp_path):
    source = tmp_path / "cmudict-en-us.dict"
    source.write_text("car K AA R\nred R EH D\n")
    made = accents.dictionary(source, [tmp_path / "shipped", tmp_path / "cache"])
    assert made.parent == tmp_path / "cache"
    assert made.read_text().splitlines() == ["car K AA R", "red R EH D", "car(2) K AA"]
    stamp = made.stat().st_mtime_ns
    assert accents.dictionary(source, [tmp_path / "shipped", tmp_path / "cache"]) == made
    assert made.stat().st_mtime_ns == stamp  # reused
    (tmp_path / "shipped").mkdir()
    shipped = (tmp_path / "shipped" / made.name)
    shipped.write_text(made.read_text())
    assert accents.dictionary(source, [tmp_path / "shipped", tmp_path / "cache"]) == shipped  # a built app's first
    source.write_text("car K AA R\n")
    assert accents.dictionary(source, [tmp_path / "cache"]).name != made.name  # another dictionary, another file
    assert not list(tmp_path.glob("cache/*.part")) and not list(tmp_path.glob("cache/*part"))


def test_a_file_in_the_way_of_the_folder_leaves_the_american_dictionary(tmp_path):
    source = tmp_path / "d.dict"
    source.write_text("car K AA R\n")
    (tmp_path / "cache").write_text("not a folder")
    assert accents.dictionary(source, [tmp_path / "cache"]) is None


def test_every_decoder_the_product_makes_reads_the_variants(monkeypatch):
    from simulator.speech.recognition import SphinxEngine
    engine = SphinxEngine()
    assert engine.dict and "nonrhotic" in engine.dict
    decoder = engine._decoder()
    assert decoder.config["dict"] == engine.dict
    assert decoder.lookup_word("car") is not None
    monkeypatch.setenv("SIMULATOR_ACCENTS", "0")
    assert SphinxEngine().dict is None  # American pronunciations alone, for comparison


# -- the British accent: England's TRAP vowel as the American model hears it ------------------------------------

@pytest.mark.parametrize("american, british", [
    ("AE N D", "AA N D"),  # and
    ("K AE N T", "K AA N T"),  # can't
    ("AE F T ER", "AA F T AH"),  # after: the open vowel, and no r
    ("M AE N IH JH ER", "M AA N IH JH AH"),  # manager
    ("R IY F AH N D", "R IY F AH N D"),  # refund: no TRAP vowel, no r: as it was
])
def test_the_british_way_opens_the_trap_vowel_and_drops_the_r(american, british):
    assert accents.southern_british(american.split()) == british.split()


def test_british_variants_come_after_the_general_ones_and_only_for_that_accent():
    lines = ["after AE F T ER", "and AE N D", "red R EH D"]
    assert accents.with_variants(lines) == [*lines, "after(2) AE F T AH"]
    assert accents.with_variants(lines, "british") == [*lines, "after(2) AE F T AH", "after(3) AA F T AH",
                                                       "and(2) AA N D"]


def test_each_accent_has_its_own_file(tmp_path):
    source = tmp_path / "cmudict-en-us.dict"
    source.write_text("and AE N D\n")
    general = accents.dictionary(source, [tmp_path / "cache"])
    british = accents.dictionary(source, [tmp_path / "cache"], "british")
    assert general != british and "british" in british.name
    assert british.read_text().splitlines() == ["and AE N D", "and(2) AA N D"]
    assert general.read_text().splitlines() == ["and AE N D"]


@pytest.mark.parametrize("env, accent", [
    ({"LANG": "en_GB.UTF-8"}, "british"),
    ({"LANG": "en-GB"}, "british"),
    ({"LANG": "en_US.UTF-8"}, "general"),
    ({"LANG": "en_AU.UTF-8"}, "general"),  # Australian vowels are not England's: the general dictionary (no r's)
    ({}, "general"),
    ({"LC_ALL": "en_US.UTF-8", "LANG": "en_GB.UTF-8"}, "general"),  # LC_ALL overrides LANG, as for every program
    ({"LC_ALL": "", "LC_MESSAGES": "en_GB.UTF-8", "LANG": "C.UTF-8"}, "british"),
])
def test_automatic_accent_follows_the_locale(env, accent):
    assert accents.locale_accent(env) == accent


def test_a_setting_chooses_the_accent_and_auto_asks_the_locale(monkeypatch):
    monkeypatch.setenv("LC_ALL", "en_GB.UTF-8")
    assert accents.chosen_accent("auto") == accents.chosen_accent(None) == "british"
    assert accents.chosen_accent("general") == "general"
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")
    assert accents.chosen_accent("british") == "british" and accents.chosen_accent("auto") == "general"


def test_the_british_setting_reaches_every_decoder():
    from simulator.speech.recognition import open_recognizer
    engine = open_recognizer(engine="pocketsphinx", build_missing="never", accent="british").engine
    assert engine.accent == "british" and engine.name.endswith("+british") and "british" in engine.dict
    decoder = engine._decoder()
    assert decoder.config["dict"] == engine.dict
    assert open_recognizer(engine="pocketsphinx", build_missing="never", accent="general").engine.accent == "general"


# Sentences written for this test, none from the corpus, each with TRAP vowels (and, can't, that, after, have).
BRITISH_LINES = [
    "I can't transfer that payment, but I have asked my manager to look at it this afternoon.",
    "After the last answer you gave, I have to stop the chat and pass this to my team.",
    "That language is not acceptable, and if it happens again I will end this call.",
    "I understand that you are angry, and I am sorry the van was so late.",
    "Can you tell me the name on the account and the date you ordered the lamp?",
]


def test_a_british_voice_is_heard_better_with_the_british_accent(tmp_path):
    import subprocess

    from simulator.speech.recognition import SphinxEngine
    from simulator.speech.wav import read_wav
    general, british = SphinxEngine(), SphinxEngine(accent="british")
    heard: dict[str, list[str]] = {"general": [], "british": []}
    for k, line in enumerate(BRITISH_LINES):
        wav = tmp_path / f"{k}.wav"
        subprocess.run(["espeak-ng", "-v", "en-gb", "-s", "160", "-w", str(wav), line], check=True)
        pcm = read_wav(wav)
        heard["general"].append(general.transcribe(pcm).text)
        heard["british"].append(british.transcribe(pcm).text)
    assert wer(BRITISH_LINES, heard["british"]) < wer(BRITISH_LINES, heard["general"]), heard


def wer(refs: list[str], hyps: list[str]) -> float:
    import re

    from rapidfuzz.distance import Levenshtein
    words = lambda text: re.sub(r"[^a-z' ]", " ", text.lower()).split()  # noqa: E731
    return sum(Levenshtein.distance(words(r), words(h)) for r, h in zip(refs, hyps)) / sum(len(words(r)) for r in refs)
