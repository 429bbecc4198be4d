"""Hand-maintained name variants: one canonical name per well-known place and organization.

News writes one entity many ways ("U.S.", "US", "United States", "America"; "EC",
"European Community", "Common Market").  A facet must show one value, and a search for
any variant must find the articles.  This table gives, per entity type, the canonical
name and its variants.  It is deliberately small: the countries and bodies that recur
in economic and political news (Reuters 1987 is the test bed), each entry unambiguous
*for its type* ("Fed" is an organization variant only; "America" a location variant only).

Add an entry by appending to the dictionaries below; :func:`alias_table` checks that no
variant points to two canonical names.

>>> canonical_name("USA", "LOCATION"), canonical_name("imf", "ORGANIZATION")
('United States', 'International Monetary Fund')
>>> canonical_name("Mars", "LOCATION") is None
True
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

__all__ = [
    "CAPITALS",
    "COMPANY_SUFFIXES",
    "POSSESSIVE_NAMES",
    "alias_table",
    "canonical_name",
    "other_label",
    "variants",
]

_LOCATIONS: dict[str, tuple[str, ...]] = {
    "United States": ("U.S.", "US", "USA", "U.S.A.", "United States of America", "America", "U.S"),
    "Britain": ("U.K.", "UK", "United Kingdom", "Great Britain", "U.K"),
    "Soviet Union": ("USSR", "U.S.S.R.", "Soviet Union (USSR)"),
    "West Germany": ("W. Germany", "Federal Republic of Germany", "FRG", "West German"),
    "East Germany": ("E. Germany", "German Democratic Republic", "GDR", "East German"),
    "Netherlands": ("Holland", "The Netherlands"),
    "China": ("People's Republic of China", "PRC", "P.R.C."),
    "South Korea": ("S. Korea", "Republic of Korea", "ROK"),
    "North Korea": ("N. Korea", "DPRK", "Democratic People's Republic of Korea"),
    "United Arab Emirates": ("UAE", "U.A.E."),
    "Ivory Coast": ("Cote d'Ivoire",),
    "Philippines": ("The Philippines",),
    "Hong Kong": ("HK",),
    "New York": ("N.Y.", "New York City", "NYC"),
    "Washington": ("Washington D.C.", "Washington, D.C.", "D.C."),
    "Los Angeles": ("L.A.",),
    "Saudi Arabia": ("Saudi",),
    "New Zealand": ("N.Z.",),
}

# US states as datelines abbreviate them ("SANTA CRUZ, Calif."), AP style.
_STATES = {
    "Alabama": ("Ala.",),
    "Arizona": ("Ariz.",),
    "Arkansas": ("Ark.",),
    "California": ("Calif.", "Cal."),
    "Colorado": ("Colo.",),
    "Connecticut": ("Conn.",),
    "Delaware": ("Del.",),
    "Florida": ("Fla.",),
    "Georgia": ("Ga.",),
    "Illinois": ("Ill.",),
    "Indiana": ("Ind.",),
    "Kansas": ("Kan.", "Kans."),
    "Kentucky": ("Ky.",),
    "Louisiana": ("La.",),
    "Maryland": ("Md.",),
    "Massachusetts": ("Mass.",),
    "Michigan": ("Mich.",),
    "Minnesota": ("Minn.",),
    "Mississippi": ("Miss.",),
    "Missouri": ("Mo.",),
    "Montana": ("Mont.",),
    "Nebraska": ("Neb.", "Nebr."),
    "Nevada": ("Nev.",),
    "New Hampshire": ("N.H.",),
    "New Jersey": ("N.J.",),
    "New Mexico": ("N.M.",),
    "North Carolina": ("N.C.",),
    "North Dakota": ("N.D.",),
    "Oklahoma": ("Okla.",),
    "Oregon": ("Ore.", "Oreg."),
    "Pennsylvania": ("Pa.", "Penn."),
    "Rhode Island": ("R.I.",),
    "South Carolina": ("S.C.",),
    "South Dakota": ("S.D.",),
    "Tennessee": ("Tenn.",),
    "Texas": ("Tex.",),
    "Vermont": ("Vt.",),
    "Virginia": ("Va.",),
    "West Virginia": ("W.Va.", "W. Va."),
    "Wisconsin": ("Wis.", "Wisc."),
    "Wyoming": ("Wyo.",),
}
_LOCATIONS.update(_STATES)

_ORGANIZATIONS: dict[str, tuple[str, ...]] = {
    "International Monetary Fund": ("IMF", "I.M.F."),
    "General Agreement on Tariffs and Trade": ("GATT",),
    "European Community": ("EC", "E.C.", "EEC", "European Economic Community", "Common Market"),
    "Organization of Petroleum Exporting Countries": ("OPEC", "Organisation of Petroleum Exporting Countries"),
    "United Nations": ("UN", "U.N."),
    "World Bank": ("International Bank for Reconstruction and Development", "IBRD"),
    "Federal Reserve": ("Fed", "Federal Reserve Board", "U.S. Federal Reserve", "Federal Reserve Bank"),
    "Securities and Exchange Commission": ("SEC", "U.S. Securities and Exchange Commission"),
    "Organisation for Economic Co-operation and Development": (
        "OECD",
        "Organization for Economic Cooperation and Development",
        "Organisation for Economic Cooperation and Development",
    ),
    "New York Stock Exchange": ("NYSE",),
    "Bank of Japan": ("BOJ",),
    "U.S. Department of Agriculture": ("USDA", "Agriculture Department", "U.S. Agriculture Department"),
    "Commodity Credit Corporation": ("CCC", "Commodity Credit Corp"),
    "North Atlantic Treaty Organization": ("NATO",),
    "European Union": ("EU",),
    "Ministry of International Trade and Industry": ("MITI",),
    "Standard and Poor's": ("Standard and Poor's Corp", "Standard & Poor's", "Standard and Poor", "S and P", "S&P"),
    "Moody's": ("Moody's Investors Service", "Moody's Investors Service Inc"),
    "International Coffee Organization": ("ICO",),
    "International Cocoa Organization": ("ICCO",),
    "International Tin Council": ("ITC",),
    "Interstate Commerce Commission": ("ICC",),
    "Federal Deposit Insurance Corporation": ("FDIC", "Federal Deposit Insurance Corp"),
    "Environmental Protection Agency": ("EPA",),
    "Internal Revenue Service": ("IRS",),
    "Congress": ("U.S. Congress",),
    # "The House" of US wire copy is the House of Representatives; Britain's is
    # "House of Commons", a name of its own.
    "House of Representatives": ("House", "U.S. House", "U.S. House of Representatives"),
    "Treasury": ("U.S. Treasury",),
    "International Business Machines": ("IBM", "International Business Machines Corp"),
    "American Telephone and Telegraph": ("AT&T", "American Telephone and Telegraph Co"),
    "General Motors": ("GM", "General Motors Corp"),
    "Ford Motor": ("Ford", "Ford Motor Co"),
    "Tass": ("TASS",),
    # Seats of government that the news names as actors ("the White House said").
    "White House": (),
    "Kremlin": (),
    "Pentagon": (),
}

# Surnames that, alone, name one person in the news of their time (Reuters 1987):
# articles saying only "Reagan" and those saying "Ronald Reagan" share one facet value.
_PERSONS: dict[str, tuple[str, ...]] = {
    "Ronald Reagan": ("Reagan", "President Reagan"),
    "Mikhail Gorbachev": ("Gorbachev",),
    "Margaret Thatcher": ("Thatcher",),
    "Yasuhiro Nakasone": ("Nakasone",),
    "Paul Volcker": ("Volcker",),
    "Helmut Kohl": ("Kohl",),
    "Francois Mitterrand": ("Mitterrand",),
    "Jacques Chirac": ("Chirac",),
    "Alan Greenspan": ("Greenspan",),
    "Karl Otto Poehl": ("Poehl",),
    "Gerhard Stoltenberg": ("Stoltenberg",),
    "Nigel Lawson": ("Lawson",),
    "Clayton Yeutter": ("Yeutter",),
    "Kiichi Miyazawa": ("Miyazawa",),
    "Corazon Aquino": ("Aquino",),
    "Jose Sarney": ("Sarney",),
    "Dilson Funaro": ("Funaro",),
    "Edouard Balladur": ("Balladur",),
}

_TABLES = {"PERSON": _PERSONS, "ORGANIZATION": _ORGANIZATIONS, "LOCATION": _LOCATIONS}

#: Seats of government that news names for their country's government ("Washington said",
#: "Tokyo wants"): as the actor of a statement or decision such a city is its country (a
#: place, as "Japan said" is).  Capitals that changed with their country since the Reuters
#: years (Moscow, Bonn) are left out: the canonical country would depend on the date.
CAPITALS: Mapping[str, str] = {
    "Washington": "United States",
    "Tokyo": "Japan",
    "London": "Britain",
    "Paris": "France",
    "Peking": "China",
    "Beijing": "China",
    "Ottawa": "Canada",
    "Canberra": "Australia",
    "Seoul": "South Korea",
    "Pyongyang": "North Korea",
    "Tehran": "Iran",
    "Baghdad": "Iraq",
    "Brasilia": "Brazil",
    "New Delhi": "India",
    "Manila": "Philippines",
    "Taipei": "Taiwan",
    "Wellington": "New Zealand",
}

#: Legal forms that end company names; alone they are never an entity ("Corp", "Inc").
COMPANY_SUFFIXES = frozenset(
    """corp corp. corporation inc inc. incorporated co co. company ltd ltd. limited plc p.l.c. ag sa s.a.
    nv n.v. bv b.v. spa s.p.a. gmbh kk k.k. llc lp l.p. cos cos. pty bhd""".split()
)

#: Names that keep their "'s": the tokenizer splits "Moody's" into "Moody" + "'s".
POSSESSIVE_NAMES = frozenset(
    """moody poor mcdonald sainsbury macy lloyd christie sotheby harrod dillard kellogg friendly wendy
    denny carl hardee arby chili""".split()
)


def _key(name: str) -> str:
    return " ".join(name.casefold().split())


@functools.cache
def _tables() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for label, table in _TABLES.items():
        index: dict[str, str] = {}
        for canonical, names in table.items():
            for name in (canonical, *names):
                key = _key(name)
                if index.get(key, canonical) != canonical:
                    raise ValueError(f"alias {name!r} points to {index[key]!r} and {canonical!r}")
                index[key] = canonical
        out[label] = index
    return out


def alias_table() -> Mapping[str, Mapping[str, str]]:
    """``{label: {casefolded variant: canonical name}}`` for PERSON, ORGANIZATION, LOCATION.

    Every canonical name maps to itself.  The query side uses this to expand a field
    query such as ``location:USA`` to the canonical facet value ``United States``; keys
    are case-folded with single spaces, so look up ``" ".join(text.casefold().split())``.

    >>> alias_table()["LOCATION"]["usa"]
    'United States'
    """
    return _tables()


@functools.lru_cache(maxsize=1 << 16)  # called for every mention
def canonical_name(name: str, label: str) -> str | None:
    """The table's canonical name for ``name`` of type ``label``, or None when not listed."""
    table = _tables().get(label)
    return table.get(_key(name)) if table else None


def variants(canonical: str, label: str) -> tuple[str, ...]:
    """The listed variants of a canonical name (empty when it has none).

    >>> variants("International Monetary Fund", "ORGANIZATION")
    ('IMF', 'I.M.F.')
    """
    return _TABLES.get(label, {}).get(canonical, ())


_SWAP = {"ORGANIZATION": "LOCATION", "LOCATION": "ORGANIZATION"}


@functools.lru_cache(maxsize=1 << 16)  # called for most mentions; one lookup, not three
def other_label(name: str, label: str) -> str | None:
    """The type the table gives a location or organization listed only under another type.

    >>> other_label("GATT", "LOCATION"), other_label("Reagan", "LOCATION")
    ('ORGANIZATION', 'PERSON')
    """
    other = _SWAP.get(label)
    if other is None or canonical_name(name, label) is not None:
        return None
    if canonical_name(name, "PERSON") is not None:
        return "PERSON"
    return other if canonical_name(name, other) is not None else None
