"""A deterministic generator of synthetic wire stories, for benchmarks.

The same ``seed`` always yields the same articles, in the same order, on every
machine and Python version (only :class:`random.Random` with an integer seed is
used). Articles are generated one at a time, so any number of them can be
streamed or written to JSON Lines without holding them in memory::

    python benchmarks/synthetic.py 100000 -o /tmp/synthetic-100k.jsonl [--seed 0]

Each article is a dict with ``id``, ``title``, ``body`` (several paragraphs),
``published`` (ISO 8601, UTC, spread over 2015–2024), ``source``, ``url`` and
``authors``. Bodies mention people, organizations and places drawn from the
built-in lists below, in the sentence shapes of news copy ("…, said Maria
Alvarez, a spokeswoman for the World Bank, in Nairobi on Tuesday."), so entity
extraction has real work to do.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["generate", "write_jsonl"]

FIRST = (
    "Maria James Wei Olga Ahmed Fatima John Elena Carlos Yuki Priya David Anna Mohammed Sofia Kenji Laura "
    "Peter Aisha Ivan Chen Grace Omar Hannah Luis Ingrid Daniel Amara Sergei Claire Rahul Nadia Thomas Mei "
    "Pablo Leila Andrew Zanele Viktor Helen"
).split()
LAST = (
    "Alvarez Smith Zhang Petrova Hassan Okafor Miller Rossi Tanaka Sharma Cohen Novak Fischer Dubois Kim "
    "Nakamura Johansson Mendes Ivanov Kowalski Mensah Silva Brown Haddad Larsen Moreau Gupta Schmidt "
    "Andersson Wong Ortega Adeyemi Volkov Murphy Costa Yilmaz Park Nguyen Lindqvist Reyes"
).split()
TITLES = (
    "Prime Minister",
    "Finance Minister",
    "Foreign Minister",
    "President",
    "chief executive",
    "central bank governor",
    "economist",
    "analyst",
    "spokesman",
    "spokeswoman",
    "senator",
    "trade representative",
)
ORGS = (
    "United Nations",
    "World Bank",
    "International Monetary Fund",
    "European Commission",
    "Federal Reserve",
    "European Central Bank",
    "OPEC",
    "World Health Organization",
    "NATO",
    "Goldman Sachs",
    "Toyota Motor Corp",
    "Siemens",
    "Royal Dutch Shell",
    "General Electric",
    "Samsung Electronics",
    "Bank of Japan",
    "Red Cross",
    "World Trade Organization",
    "Volkswagen",
    "HSBC",
    "Petrobras",
    "Nestle",
    "Airbus",
    "BHP Billiton",
)
PLACES = (
    "London|Paris|Berlin|Tokyo|Beijing|Moscow|Washington|Brussels|Geneva|Nairobi|Lagos|Cairo|Mumbai|Jakarta|"
    "Sydney|Toronto|Mexico City|Sao Paulo|Buenos Aires|Istanbul|Tehran|Seoul|Singapore|Frankfurt|Johannesburg|"
    "Madrid|Rome|Warsaw|Kiev|Bangkok|Manila|Dubai|Riyadh|Santiago|Lima|Oslo|Stockholm|Vienna"
).split("|")
COUNTRIES = (
    "France|Germany|Japan|China|Russia|United States|Brazil|India|Nigeria|Kenya|Egypt|Indonesia|Australia|"
    "Canada|Mexico|Argentina|Turkey|Iran|South Korea|Poland|Ukraine|Thailand|Saudi Arabia|Chile|Norway|Sweden"
).split("|")
SOURCES = ("Reuters", "Associated Press", "AFP", "Bloomberg", "Xinhua", "Kyodo", "dpa", "ANSA", "EFE", "PTI")
COMMODITIES = (
    "crude oil",
    "wheat",
    "copper",
    "gold",
    "coffee",
    "cocoa",
    "natural gas",
    "soybeans",
    "sugar",
    "iron ore",
)
TOPICS = (
    "interest rates",
    "the budget deficit",
    "trade talks",
    "the election",
    "the merger",
    "debt restructuring",
    "the ceasefire",
    "climate targets",
    "fuel subsidies",
    "bond yields",
    "the strike",
    "export quotas",
    "the vaccine rollout",
    "tariffs",
    "the currency",
)
VERBS_UP = ("rose", "climbed", "jumped", "gained", "advanced", "rallied")
VERBS_DOWN = ("fell", "dropped", "slipped", "declined", "tumbled", "eased")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
HEADLINES = (
    "{Country} {verb_up} {commodity} output as {org} warns on supply",
    "{org} says {topic} remain key risk for {country}",
    "{person_last} vows action on {topic} after talks in {place}",
    "{Commodity} prices {verb_down} on {country} demand worries",
    "{org} and {org2} agree deal on {topic}",
    "Talks on {topic} stall in {place}, {person_last} says",
    "{country} central bank holds rates, signals concern over {topic}",
    "Thousands protest in {place} over {topic}",
)
SENTENCES = (
    "{person}, {title} of {country}, said on {day} that {topic} would dominate talks with the {org}.",
    "\u201cWe are not going to accept this,\u201d {person} told reporters in {place}.",
    "Prices of {commodity} {verb_up} {pct} percent to ${price} in early trading in {place}.",
    "The {org} said in a statement that it expected growth of {pct} percent this year, down from {pct2} percent.",
    "{person_last} met officials from the {org} and the {org2} in {place} on {day}.",
    "Analysts at {org} said {topic} had weighed on markets since {month}.",
    "Shares in {org} {verb_down} {pct} percent after the company cut its forecast.",
    "The dispute over {topic} has strained ties between {country} and {country2} for months.",
    "According to {person}, a {title} at the {org}, {number} people were affected.",
    "Officials in {place} declined to comment on the report.",
    "{country}'s parliament is expected to vote on the measure by the end of {month}.",
    "Trading volume reached {number} contracts, the highest since {year}, dealers said.",
    "The U.S. dollar {verb_down} against the yen while European stocks {verb_up}.",
    "{person} and {person2} are due to meet again in {place} next week.",
    "It was not immediately clear whether {topic} would be resolved before the deadline.",
    "{firm} said it would invest in the {thing} project near {town}, {pct} km from {place}.",
    "Residents of {town} told {source_} the {thing} plant had been closed since {month}.",
    "{person}, who heads {firm}, said demand for {thing} exports was recovering.",
    "Exports to {country2} {verb_up} {pct} percent in {month} from a year earlier, data showed.",
)
# A long tail of made-up words (companies, towns, projects), picked with a
# Zipf-like skew, so the vocabulary keeps growing with the corpus as real news does.
_SYLLABLES = "ka lo mi ren tor va sel bri dan gu ph or ast el min ko ra zu ni ber wen tal cor fi".split()
LEXICON_SIZE = 60_000
FIRM_SUFFIXES = ("Holdings", "Group", "Industries", "Bank", "Energy", "Mining", "Partners", "Capital", "Motors")


def _word(i: int) -> str:
    parts = []
    i += len(_SYLLABLES)  # at least two syllables
    while i:
        i, r = divmod(i, len(_SYLLABLES))
        parts.append(_SYLLABLES[r])
    return "".join(parts)


def _rare(rng: random.Random) -> str:
    return _word(int(rng.paretovariate(0.8)) % LEXICON_SIZE)


MONTHS = ("January February March April May June July August September October November December").split()
START = dt.datetime(2015, 1, 1, tzinfo=dt.UTC)
SPAN_SECONDS = 10 * 365 * 24 * 3600  # ten years of news


def _slots(rng: random.Random) -> dict[str, str]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    country = rng.choice(COUNTRIES)
    commodity = rng.choice(COMMODITIES)
    return {
        "person": f"{first} {last}",
        "person_last": last,
        "person2": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        "title": rng.choice(TITLES),
        "org": rng.choice(ORGS),
        "org2": rng.choice(ORGS),
        "place": rng.choice(PLACES),
        "country": country,
        "Country": country,
        "country2": rng.choice(COUNTRIES),
        "commodity": commodity,
        "Commodity": commodity.capitalize(),
        "source_": rng.choice(SOURCES),
        "topic": rng.choice(TOPICS),
        "verb_up": rng.choice(VERBS_UP),
        "verb_down": rng.choice(VERBS_DOWN),
        "day": rng.choice(DAYS),
        "month": rng.choice(MONTHS),
        "year": str(rng.randint(1990, 2014)),
        "pct": f"{rng.randint(1, 15)}.{rng.randint(0, 9)}",
        "pct2": f"{rng.randint(1, 15)}.{rng.randint(0, 9)}",
        "price": f"{rng.randint(10, 2000)}.{rng.randint(0, 99):02d}",
        "number": f"{rng.randint(2, 900):,}",
        "firm": f"{_rare(rng).capitalize()} {rng.choice(FIRM_SUFFIXES)}",
        "town": _rare(rng).capitalize(),
        "thing": _rare(rng),
    }


def _article(rng: random.Random, seq: int, seed: int) -> dict[str, Any]:
    slots = _slots(rng)
    published = START + dt.timedelta(seconds=rng.randrange(SPAN_SECONDS))
    source = rng.choice(SOURCES)
    place = slots["place"]
    paragraphs = []
    for p in range(rng.randint(3, 8)):
        fresh = _slots(rng) if rng.random() < 0.4 else slots
        templates = rng.sample(SENTENCES, rng.randint(2, 4))
        sentences = [templates[0].format_map(fresh), *(t.format_map(slots) for t in templates[1:])]
        text = " ".join(sentences)
        if p == 0:
            text = f"{place.upper()}, {MONTHS[published.month - 1]} {published.day} ({source}) - {text}"
        paragraphs.append(text)
    title = rng.choice(HEADLINES).format_map(slots)
    ident = f"synthetic-{seed}-{seq}"
    return {
        "id": ident,
        "title": title[0].upper() + title[1:],
        "body": "\n\n".join(paragraphs),
        "published": published.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "source": source,
        "url": f"https://news.example.com/{published:%Y/%m/%d}/{ident}",
        "authors": [f"{rng.choice(FIRST)} {rng.choice(LAST)}"],
    }


def generate(n: int, seed: int = 0) -> Iterator[dict[str, Any]]:
    """Yield ``n`` synthetic articles (dicts), the same ones for the same ``seed``."""
    rng = random.Random(seed)
    for seq in range(n):
        yield _article(rng, seq, seed)


def write_jsonl(path: str | Path, n: int, seed: int = 0) -> tuple[int, int]:
    """Write ``n`` articles to a JSON Lines file; returns (articles, title+body UTF-8 bytes)."""
    text_bytes = 0
    count = 0
    with open(path, "w", encoding="utf-8") as out:
        for article in generate(n, seed):
            out.write(json.dumps(article, ensure_ascii=False) + "\n")
            text_bytes += len(article["title"].encode()) + len(article["body"].encode())
            count += 1
    return count, text_bytes


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Write deterministic synthetic news articles as JSON Lines.")
    ap.add_argument("n", type=int, help="how many articles")
    ap.add_argument("-o", "--output", default="-", help="JSONL file (default: standard output)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    if args.output == "-":
        for article in generate(args.n, args.seed):
            sys.stdout.write(json.dumps(article, ensure_ascii=False) + "\n")
    else:
        count, size = write_jsonl(args.output, args.n, args.seed)
        print(f"{count} articles, {size / 1e6:.1f} MB of text -> {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
