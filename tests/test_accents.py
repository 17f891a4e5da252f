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
