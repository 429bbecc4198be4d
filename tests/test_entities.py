"""Tests of the entity extractor (newsindex.entities and its bundled model)."""

from __future__ import annotations

import gzip
import json
import random
import string
import time
from pathlib import Path

import nltk
import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsindex import EntityModelError
from newsindex._entities import (
    LABELS,
    ArticleEntities,
    Entity,
    NLTKExtractor,
    article_entities,
    canonicalize,
    extract_entities,
    get_extractor,
)
from newsindex._entities.perceptron import Model, default_model_path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CONLL_DEV = SHARED / "corpora" / "conll2003" / "eng.testa"
NLTK_DATA = SHARED / "nltk_data"


def _seed_text() -> str:
    """The seed article body: the repo's seeds/ (JSON with "body", or .txt), else ../shared/seeds."""
    seeds = ROOT / "seeds"
    for path in sorted(seeds.glob("*.json")) if seeds.is_dir() else []:
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "Kim" in data.get("body", ""):
            return data["body"]
    for folder in (seeds, SHARED / "seeds"):
        for path in sorted(folder.glob("*.txt")) if folder.is_dir() else []:
            text = path.read_text(encoding="utf-8")
            if "Kim" in text:
                return text
    pytest.skip("no seed article in seeds/ or ../shared/seeds")


@pytest.fixture(scope="module")
def seed_text() -> str:
    return _seed_text()


# --------------------------------------------------------------------------- seed article
def test_seed_article_entities(seed_text: str) -> None:
    ents = article_entities(seed_text)
    for person in (
        "Kim Jong Un",
        "Vladimir Putin",
        "Sergei Shoigu",
        "Oleg Kozhemyako",
        "Alexander Kozlov",
        "Choe Sun Hui",
        "Lim Soo-suk",
    ):
        assert person in ents.persons, (person, ents.persons)
    for place in ("North Korea", "Russia", "South Korea", "Japan", "Ukraine", "Moscow", "Pyongyang"):
        assert place in ents.locations, (place, ents.locations)
    for org in ("United Nations", "Korean Central News Agency"):
        assert org in ents.organizations, (org, ents.organizations)
    assert "Kim’s" not in ents.persons and "Kim's" not in ents.persons
    assert "President Vladimir Putin" not in ents.persons
    # Short mentions resolve to the full name: no bare "Kim" or "Putin" person.
    assert "Kim" not in ents.persons and "Putin" not in ents.persons
    assert not set(ents.persons) & set(ents.locations)


def test_seed_mentions_offsets_and_names(seed_text: str) -> None:
    ents = extract_entities(seed_text)
    assert ents == sorted(ents, key=lambda e: e.start)
    for e in ents:
        assert seed_text[e.start : e.end] == e.text
        assert e.label in LABELS
    by_text = {}
    for e in ents:
        by_text.setdefault((e.text, e.label), e.name)
    assert by_text[("Putin", "PERSON")] == "Vladimir Putin"
    assert by_text[("Kim", "PERSON")] == "Kim Jong Un"
    # Clitics such as the "’t" of "didn’t" are never entities.
    assert all(any(ch.isupper() for ch in e.text) for e in ents)
    # Possessives are split off by the tokenizer, never part of a person mention.
    assert not any(e.text.endswith(("’s", "'s")) for e in ents if e.label == "PERSON")


def test_pretokenized_sentences_give_same_result(seed_text: str) -> None:
    from newsindex._analysis import tokenize

    sentences = tokenize(seed_text)
    assert get_extractor().extract(seed_text, sentences) == get_extractor().extract(seed_text)
    assert article_entities(seed_text, sentences) == article_entities(seed_text)


# --------------------------------------------------------------------------- invariants
_words = st.sampled_from(
    [
        "Kim",
        "Jong",
        "Un",
        "Putin",
        "Vladimir",
        "Moscow",
        "the",
        "United",
        "Nations",
        "’s",
        "'s",
        "President",
        "Mr.",
        "U.S.",
        "Soo-suk",
        "met",
        ",",
        ".",
        "\n",
        "“",
        "”",
        "KCNA",
        "said",
        "in",
    ]
)


@given(st.one_of(st.text(max_size=200), st.lists(_words, max_size=40).map(" ".join)))
def test_extract_never_raises_and_offsets_are_valid(text: str) -> None:
    for e in extract_entities(text):
        assert text[e.start : e.end] == e.text
        assert 0 <= e.start < e.end <= len(text)
        assert e.label in LABELS
        assert isinstance(e.name, str) and e.name
    result = article_entities(text)
    assert isinstance(result, ArticleEntities)


@given(
    st.text(max_size=120), st.lists(st.lists(st.tuples(st.integers(0, 130), st.integers(1, 8)), max_size=8), max_size=4)
)
def test_arbitrary_pretokenization_is_safe(text: str, raw: list[list[tuple[int, int]]]) -> None:
    sentences = [[(a, min(a + n, len(text))) for a, n in sent if a < len(text)] for sent in raw]
    for e in get_extractor().extract(text, sentences):
        assert text[e.start : e.end] == e.text
        assert 0 <= e.start < e.end <= len(text)
        assert e.label in LABELS


def test_entity_validates_label() -> None:
    with pytest.raises(ValueError):
        Entity("Putin", "PER", 0, 5)
    assert Entity("Putin", "PERSON", 0, 5).name == "Putin"


# --------------------------------------------------------------------------- canonical names
def _ent(text: str, label: str, start: int = 0) -> Entity:
    return Entity(text, label, start, start + len(text))


def test_canonical_strips_titles_and_possessives() -> None:
    names = [
        e.name
        for e in canonicalize(
            [
                _ent("President Vladimir Putin", "PERSON"),
                _ent("Kim’s", "PERSON", 30),
                _ent("Gov. Oleg Kozhemyako", "PERSON", 40),
                _ent("Mr. Smith's", "PERSON", 70),
                _ent("the United Nations", "ORGANIZATION", 90),
            ]
        )
    ]
    assert names == ["Vladimir Putin", "Kim", "Oleg Kozhemyako", "Smith", "United Nations"]


def test_canonical_resolves_short_mentions() -> None:
    ents = canonicalize(
        [
            _ent("Kim Jong Un", "PERSON"),
            _ent("Vladimir Putin", "PERSON", 20),
            _ent("Putin", "PERSON", 40),
            _ent("Kim", "PERSON", 50),
            _ent("United Nations", "ORGANIZATION", 60),
            _ent("UN", "ORGANIZATION", 80),
            _ent("Un", "LOCATION", 90),  # different type: untouched
        ]
    )
    assert [e.name for e in ents] == [
        "Kim Jong Un",
        "Vladimir Putin",
        "Vladimir Putin",
        "Kim Jong Un",
        "United Nations",
        "United Nations",
        "Un",
    ]
    # Other fields are unchanged.
    assert [(e.text, e.start) for e in ents][2] == ("Putin", 40)


def test_canonical_in_running_text() -> None:
    text = "Russian President Vladimir Putin met Angela Merkel in Berlin. Putin praised Merkel's plan."
    ents = article_entities(text)
    assert ents.persons == ("Vladimir Putin", "Angela Merkel")
    assert ents.locations == ("Berlin",)


# --------------------------------------------------------------------------- backends
def test_get_extractor_is_cached_and_unknown_backend_fails() -> None:
    assert get_extractor() is get_extractor("bundled")
    assert get_extractor().name == "bundled"
    with pytest.raises(EntityModelError, match="unknown entity backend"):
        get_extractor("spacy")


@pytest.mark.parametrize("folder", ["shared", "empty"])
def test_nltk_backend_without_typed_chunker_names_packages(
    folder: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if folder == "shared":
        if not NLTK_DATA.is_dir():
            pytest.skip("../shared/nltk_data is absent")
        path = NLTK_DATA
        if (path / "chunkers" / "maxent_ne_chunker_tab" / "english_ace_multiclass").exists():
            pytest.skip("the typed chunker is installed there")
    else:
        path = tmp_path
    monkeypatch.setattr(nltk.data, "path", [str(path)])
    with pytest.raises(EntityModelError) as info:
        NLTKExtractor()
    message = str(info.value)
    for package in ("averaged_perceptron_tagger_eng", "maxent_ne_chunker_tab", "words", "punkt_tab"):
        assert package in message


# --------------------------------------------------------------------------- the model file
def test_model_file_is_json_and_small() -> None:
    path = default_model_path()
    assert path.stat().st_size <= 15 * 1024 * 1024
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        data = json.load(fh)  # plain JSON: no pickle anywhere
    assert data["format"].startswith("newsindex-ner-perceptron/")
    assert set(data) >= {"tags", "scale", "weights", "lexicon", "meta"}
    assert all(isinstance(v, list) for v in data["weights"].values())
    t0 = time.perf_counter()
    Model.load(path)
    assert time.perf_counter() - t0 < 2.0  # < 1 s on a normal machine; slack for CI


# --------------------------------------------------------------------------- accuracy
def test_conll_dev_f1() -> None:
    """Micro F1 over PER/ORG/LOC on all of eng.testa (exact spans, conlleval)."""
    if not CONLL_DEV.exists():
        pytest.skip(f"{CONLL_DEV} is absent (research data lives in ../shared)")
    from newsindex._entities.conll import evaluate_spans, read_conll, tag_docs

    model = Model.load(default_model_path())
    scores = evaluate_spans(*tag_docs(model, read_conll(CONLL_DEV)))
    assert scores["micro"][2] >= 0.85, scores
    for typ in ("PER", "LOC"):
        assert scores[typ][2] >= 0.85, scores
    assert scores["ORG"][2] >= 0.75, scores


def test_conll_dev_f1_on_the_product_path() -> None:
    """eng.testa as articles arrive (one sentence a line, the extractor splits and tokenizes)."""
    if not CONLL_DEV.exists():
        pytest.skip(f"{CONLL_DEV} is absent (research data lives in ../shared)")
    from newsindex._entities.conll import product_path_scores, read_conll

    scores = product_path_scores(read_conll(CONLL_DEV), get_extractor().extract)
    assert scores["micro"][2] >= 0.89, scores
    for typ in ("PER", "LOC"):
        assert scores[typ][2] >= 0.9, scores
    assert scores["ORG"][2] >= 0.8, scores


def test_type_cache_eviction_and_numbers_do_not_change_tags(seed_text: str) -> None:
    """A full type cache drops its older half, and words with digits share one entry
    (digits as 0) without one of their own: the tags are those of an unbounded cache."""
    sents = [s.split() for s in seed_text.split("\n") if s.strip()]
    sents.append("Profit rose 155,221 dlrs to 1,234 mln in 1987 , Reuter said .".split())
    big = Model.load(default_model_path())
    small = Model.load(default_model_path())
    small._max_cache = 8
    assert small.tag_document(sents) == big.tag_document(sents)
    assert small.tag_document(sents) == big.tag_document(sents)  # again, from a churned cache
    assert len(small._types) <= 8
    assert "155,221" not in big._types and "000,000" in big._types


_MODEL: list[Model] = []


def _bundled() -> Model:
    if not _MODEL:
        _MODEL.append(Model.load(default_model_path()))
    return _MODEL[0]


_TRICKY = ["", "a", "A", "I", "-", ".", "U.S.", "a-b", "Bosnian-Serb", "x-y-z", "0", "00-000", "Mr.", "McDonald",
           "NEW", "York", "new", "É", "ÉCOLE", "naïve", "\u24b6", "\u01c5", "O'Neill", "'s", "Reuter"]  # fmt: skip


def _check_grouped_type_weights(word: str) -> None:
    from newsindex._entities.perceptron import _DIGITS, type_features

    model = _bundled()
    key = _DIGITS.sub("0", word)
    want = [[v for v in map(model.weights.get, fl) if v] for fl in type_features(key, model.lexicon)]
    got = [[v for v in g if v] for g in model._tw.vectors(key)]
    assert [[id(v) for v in g] for g in got] == [[id(v) for v in g] for g in want], word


@given(st.one_of(st.sampled_from(_TRICKY), st.text(max_size=12), st.from_regex(r"[A-Za-z0-9.'-]{1,9}", fullmatch=True)))
def test_grouped_type_weights_agree_with_type_features(word: str) -> None:
    """The model's regrouped weights (_TypeWeights) find the same vectors, in the same
    order, as looking up each feature string of type_features, which training uses."""
    _check_grouped_type_weights(word)


def test_grouped_type_weights_agree_on_the_model_words() -> None:
    """Every word with a w= or l= weight, lower, Title- and upper-cased (~30,000 words)."""
    model = _bundled()
    words = {f[2:] for f in model.weights if f.startswith(("w=", "l="))}
    for word in sorted({v for w in words for v in (w, w.lower(), w.title(), w.upper())}):
        _check_grouped_type_weights(word)


_WORDS = st.one_of(
    st.sampled_from([*_TRICKY, '"', "(", ":", "--", "``", "...", "'", "-0", "-a", "12", "\u0663", "\u00b2", "<S>"]),
    st.text(max_size=6),
    st.from_regex(r"[A-Za-z0-9.'(-]{1,6}", fullmatch=True),
)


@given(_WORDS)
def test_word_flags_are_those_of_the_entry_key(word: str) -> None:
    """The decoder reads a token's flags from its entry, which is keyed (and its flags
    computed) by the word with its digits as 0: the flags must not change under that."""
    from newsindex._entities.perceptron import _DIGITS, _word_flags, capitalised

    flags = _word_flags(word)
    assert flags == _word_flags(_DIGITS.sub("0", word))
    assert flags[:2] == (capitalised(word), word[:1].islower())


@given(st.from_regex(r"[A-Za-z0-9.'-]{1,12}", fullmatch=True), st.randoms(use_true_random=False))
def test_an_ascii_words_shape_tells_its_case_class(word: str, rnd: random.Random) -> None:
    """_TypeWeights caches the short shape and case class of an ASCII word by its long
    shape: another word of that shape (other letters of the same case, other digits) has
    the same ones, and the cached vectors are still type_features' own."""
    from newsindex._entities.perceptron import _case_class, _shape, _short_shape

    pools = (string.ascii_uppercase, string.ascii_lowercase, string.digits)
    other = "".join(next((rnd.choice(p) for p in pools if c in p), c) for c in word)
    assert _shape(other) == _shape(word)
    assert (_case_class(other), _short_shape(_shape(other))) == (_case_class(word), _short_shape(_shape(word)))
    _check_grouped_type_weights(word)
    _check_grouped_type_weights(other)


@given(st.lists(_WORDS, max_size=8), _WORDS)
def test_doc_vec_is_the_weights_of_doc_feature(words: list[str], word: str) -> None:
    """The decoder's table of the 8 article-level features' weights gives doc_feature's."""
    from newsindex._entities.perceptron import _bound, doc_feature, doc_profile

    model = _bundled()
    prof = doc_profile([words, [word.lower(), word]])
    f = doc_feature(word, prof)
    vec = model.weights.get(f) if f else None
    assert model._doc_vec(word, prof) == ((vec, _bound(vec)) if vec else None)
