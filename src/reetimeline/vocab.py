"""Vocabularies: minerals and countries, with their aliases, groups and did-you-mean.

A name is looked up case-insensitively and in Unicode normal form C (so a name typed or stored
decomposed, `й` as `и` plus a combining breve, is the same name), with `ё` read as `е` and runs of
spaces, hyphens and underscores read as one hyphen, so "Rare Earths", "rare-earths" and
"rare_earths" are one key.

Groups are matched both ways by `related()`: a member matches events that list one of its groups
(dysprosium matches an event about `rare-earths`), and a group matches events that list any of its
members (`rare-earths` matches an event about dysprosium). Group membership is listed in full, one
level deep: `rare-earths` names all 17 elements and both sub-groups.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from functools import cached_property

LIGHT_RARE_EARTHS = (
    "lanthanum", "cerium", "praseodymium", "neodymium", "promethium", "samarium", "europium",
)  # fmt: skip
HEAVY_RARE_EARTHS = (
    "gadolinium", "terbium", "dysprosium", "holmium", "erbium", "thulium", "ytterbium",
    "lutetium", "yttrium",
)  # fmt: skip
RARE_EARTHS = (*LIGHT_RARE_EARTHS, *HEAVY_RARE_EARTHS[:-1], "scandium", "yttrium")

# canonical name -> aliases: chemical symbol, English variants, Russian, Chinese, Japanese.
MINERAL_ALIASES: dict[str, tuple[str, ...]] = {
    "lanthanum": ("La", "лантан", "镧", "ランタン"),
    "cerium": ("Ce", "церий", "铈", "セリウム"),
    "praseodymium": ("Pr", "празеодим", "镨", "プラセオジム"),
    "neodymium": ("Nd", "неодим", "钕", "ネオジム"),
    "promethium": ("Pm", "прометий", "钷", "プロメチウム"),
    "samarium": ("Sm", "самарий", "钐", "サマリウム"),
    "europium": ("Eu", "европий", "铕", "ユウロピウム"),
    "gadolinium": ("Gd", "гадолиний", "钆", "ガドリニウム"),
    "terbium": ("Tb", "тербий", "铽", "テルビウム"),
    "dysprosium": ("Dy", "диспрозий", "镝", "ジスプロシウム"),
    "holmium": ("Ho", "гольмий", "钬", "ホルミウム"),
    "erbium": ("Er", "эрбий", "铒", "エルビウム"),
    "thulium": ("Tm", "тулий", "铥", "ツリウム"),
    "ytterbium": ("Yb", "иттербий", "镱", "イッテルビウム"),
    "lutetium": ("Lu", "лютеций", "镥", "ルテチウム"),
    "scandium": ("Sc", "скандий", "钪", "スカンジウム"),
    "yttrium": ("Y", "иттрий", "钇", "イットリウム"),
    "rare-earths": (
        "rare earth", "rare-earth elements", "rare earth elements", "REE", "REEs", "REM",
        "редкоземельные металлы", "редкоземельные элементы", "редкие земли", "РЗМ", "РЗЭ",
        "稀土", "稀土元素", "レアアース", "希土類",
    ),
    "light-rare-earths": (
        "light rare earth", "LREE", "LREEs", "лёгкие редкоземельные металлы",
        "лёгкие редкоземельные элементы", "轻稀土", "軽希土類", "軽レアアース",
    ),
    "heavy-rare-earths": (
        "heavy rare earth", "HREE", "HREEs", "тяжёлые редкоземельные металлы",
        "тяжёлые редкоземельные элементы", "重稀土", "中重稀土", "重希土類", "重レアアース",
    ),
    "gallium": ("Ga", "галлий", "镓", "ガリウム"),
    "germanium": ("Ge", "германий", "锗", "ゲルマニウム"),
    "antimony": ("Sb", "сурьма", "锑", "アンチモン"),
    "graphite": ("графит", "石墨", "黒鉛", "グラファイト"),
    "tungsten": ("W", "wolfram", "вольфрам", "钨", "タングステン"),
    "tellurium": ("Te", "теллур", "碲", "テルル"),
    "bismuth": ("Bi", "висмут", "铋", "ビスマス"),
    "molybdenum": ("Mo", "молибден", "钼", "モリブデン"),
    "indium": ("In", "индий", "铟", "インジウム"),
    "lithium": ("Li", "литий", "锂", "リチウム"),
    "cobalt": ("Co", "кобальт", "钴", "コバルト"),
    "nickel": ("Ni", "никель", "镍", "ニッケル"),
    "copper": ("Cu", "медь", "铜", "銅"),
    "manganese": ("Mn", "марганец", "锰", "マンガン"),
    "superhard-materials": ("superhard material", "сверхтвёрдые материалы", "超硬材料"),
    "lithium-batteries": (
        "lithium battery", "lithium-ion batteries", "li-ion batteries", "литиевые батареи",
        "литий-ионные аккумуляторы", "锂电池", "リチウム電池", "リチウムイオン電池",
    ),
    # Products made of rare earths: events about magnets (what they are made of, the technology
    # to make them, who may buy them) name them, so that `-m magnets` finds them.
    "magnets": (
        "magnet", "permanent magnets", "rare-earth magnets", "rare earth magnet", "REPM",
        "магниты", "постоянные магниты", "磁铁", "永磁体", "永磁材料", "磁石", "永久磁石",
    ),
    "ndfeb-magnets": (
        "NdFeB", "NdFeB magnet", "neodymium magnets", "neodymium-iron-boron magnets",
        "neodymium iron boron magnet", "неодимовые магниты", "钕铁硼", "钕铁硼磁体",
        "ネオジム磁石",
    ),
    "samarium-cobalt-magnets": (
        "SmCo", "SmCo magnet", "samarium cobalt magnet", "самарий-кобальтовые магниты",
        "钐钴磁体", "钐钴", "サマリウムコバルト磁石",
    ),
    # Not a mineral: events about critical-minerals policy in general name no single mineral.
    "critical-minerals": (
        "critical mineral", "critical raw materials", "критически важные минералы",
        "критические минералы", "关键矿产", "重要鉱物",
    ),
}  # fmt: skip

MINERAL_GROUPS: dict[str, tuple[str, ...]] = {
    "rare-earths": (*RARE_EARTHS, "light-rare-earths", "heavy-rare-earths"),
    "light-rare-earths": LIGHT_RARE_EARTHS,
    "heavy-rare-earths": HEAVY_RARE_EARTHS,
    "magnets": ("ndfeb-magnets", "samarium-cobalt-magnets"),
}

G7_MEMBERS = ("CA", "FR", "DE", "IT", "JP", "GB", "US")
EU_MEMBERS = (
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
    "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
)  # fmt: skip

COUNTRY_GROUPS: dict[str, tuple[str, ...]] = {
    # The EU takes part in the G7 as a non-enumerated member.
    "G7": (*G7_MEMBERS, "EU"),
    "EU": EU_MEMBERS,
}

# Aliases people type that ISO names do not cover, in the languages of the news we follow.
EXTRA_COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "US": ("U.S.", "America", "США", "美国", "アメリカ", "米国"),
    "CN": ("PRC", "Mainland China", "Китай", "КНР", "中国", "中華人民共和国"),
    "JP": ("Япония", "日本"),
    "KR": ("Korea", "Republic of Korea", "ROK", "Южная Корея", "Корея", "韩国", "韓国"),
    "KP": ("North Korea", "DPRK"),
    "GB": ("UK", "U.K.", "Britain", "Great Britain", "Великобритания", "英国", "イギリス"),
    "DE": ("Германия", "德国", "ドイツ"),
    "FR": ("Франция", "法国", "フランス"),
    "IT": ("Италия", "意大利", "イタリア"),
    "CA": ("Канада", "加拿大", "カナダ"),
    "AU": ("Австралия", "澳大利亚", "オーストラリア"),
    "IN": ("Индия", "印度", "インド"),
    "RU": ("Russia", "Россия", "俄罗斯", "ロシア"),
    "TW": ("Тайвань", "台湾"),
    "VN": ("Vietnam",),
    "EU": ("European Union", "European Commission", "ЕС", "Евросоюз", "欧盟", "欧州連合"),
    "G7": ("Group of Seven", "Большая семёрка", "七国集团", "主要7カ国"),
}  # fmt: skip

_SEPARATORS = re.compile(r"[\s_\-]+")


def fold(text: str) -> str:
    """`text` for caseless comparison: NFC, case-folded, NFC again (folding can decompose:
    `İ` folds to `i` plus a combining dot). Composed and decomposed forms compare equal."""
    if text.isascii():
        return text.casefold()
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).casefold())


_WORD = re.compile(r"[^\W_]+")


def search_words(text: str) -> list[str]:
    """The words that `-q` compares: `fold`ed, accents removed (`é` is `e`), split at anything
    that is not a letter or a digit (`No.70` is `no`, `70`)."""
    folded = fold(text)
    if not folded.isascii():
        folded = "".join(c for c in unicodedata.normalize("NFKD", folded)
                         if not unicodedata.combining(c))  # fmt: skip
    return _WORD.findall(folded)


def normalise(name: str) -> str:
    """The lookup key of a name: `fold`ed, `ё` as `е`, separators folded to one hyphen."""
    return _SEPARATORS.sub("-", fold(name.strip()).replace("ё", "е"))


class Vocabulary:
    """One vocabulary: canonical names, their display names, aliases and one-level groups.

    The tables come from `load()`, called on first use: a command that resolves no country
    does not pay for the ISO table.
    """

    def __init__(self, kind: str, load: Callable[[], tuple[Mapping, Mapping, Mapping]]):
        self.kind = kind  # "mineral" or "country", for messages
        self._load = load

    @cached_property
    def _tables(self) -> tuple[Mapping[str, str], Mapping[str, tuple[str, ...]], Mapping]:
        return self._load()

    @property
    def names(self) -> Mapping[str, str]:
        """Canonical name -> display name."""
        return self._tables[0]

    @property
    def aliases(self) -> Mapping[str, tuple[str, ...]]:
        return self._tables[1]

    @property
    def groups(self) -> Mapping[str, tuple[str, ...]]:
        return self._tables[2]

    @cached_property
    def _keys(self) -> dict[str, str]:
        keys: dict[str, str] = {}
        for canonical in self.names:
            for name in (canonical, self.names[canonical], *self.aliases.get(canonical, ())):
                keys.setdefault(normalise(name), canonical)
        return keys

    @cached_property
    def _parents(self) -> dict[str, tuple[str, ...]]:
        parents: dict[str, list[str]] = {}
        for group, members in self.groups.items():
            for member in members:
                parents.setdefault(member, []).append(group)
        return {member: tuple(groups) for member, groups in parents.items()}

    def resolve(self, name: str) -> str | None:
        """The canonical name for `name`, or None when the vocabulary does not know it."""
        try:
            return self._resolved[name]
        except KeyError:
            canonical = self._resolved[name] = self._keys.get(normalise(name))
            return canonical

    @cached_property
    def _resolved(self) -> dict[str, str | None]:
        """What was typed -> canonical name: stores repeat the same few names thousands of times."""
        return {}

    def suggest(self, name: str) -> str | None:
        """The closest known name, for a did-you-mean, or None."""
        return closest(normalise(name), self._keys, lambda key: self._keys[key])

    def related(self, canonical: str) -> frozenset[str]:
        """What an event may list to concern `canonical`: itself, its groups and its members."""
        return frozenset(
            (canonical, *self._parents.get(canonical, ()), *self.groups.get(canonical, ()))
        )

    def parents(self, canonical: str) -> frozenset[str]:
        """The groups `canonical` belongs to (`JP` -> G7)."""
        return frozenset(self._parents.get(canonical, ()))

    def complete(self, prefix: str) -> list[str]:
        """Names and aliases that start with `prefix` (compared as lookup keys), canonical
        names first."""
        key = normalise(prefix)
        canonical = [c for c in self.names if normalise(c).startswith(key)]
        others = [
            name
            for name in self.all_names()
            if name not in canonical and normalise(name).startswith(key)
        ]
        return list(dict.fromkeys([*canonical, *others]))

    def entries(self) -> list[dict[str, object]]:
        """The vocabulary as data, for `vocab` and completion."""
        return [
            {
                "name": canonical,
                "label": self.names[canonical],
                "aliases": list(self.aliases.get(canonical, ())),
                "groups": list(self._parents.get(canonical, ())),
                "members": list(self.groups.get(canonical, ())),
            }
            for canonical in self.names
        ]

    def all_names(self) -> Iterable[str]:
        for canonical, label in self.names.items():
            yield canonical
            if label != canonical:
                yield label
            yield from self.aliases.get(canonical, ())


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """ " (did you mean 'x'?)" for the closest candidate, or "" when none is close."""
    return hint(closest(word, candidates))


def closest_ids(word: str, ids: Iterable[str], n: int = 3) -> list[str]:
    """The ids closest to what was typed, compared as `search_words` joined (punctuation and
    case left out: `october9` is close to `october-9-export-control-package`): first those
    holding the typed text (those starting with it first, then those of fewest words: the most
    general), then difflib's closest."""
    import difflib

    wanted = "".join(search_words(word))
    if not wanted:
        return []
    keys: dict[str, list[str]] = {}
    words: dict[str, int] = {}
    for event_id in ids:
        split = search_words(event_id)
        key = "".join(split)
        keys.setdefault(key, []).append(event_id)
        words[key] = len(split)
    found = sorted((key for key in keys if wanted in key),
                   key=lambda key: (not key.startswith(wanted), words[key], len(key), key))[:n]
    found += [key for key in difflib.get_close_matches(wanted, list(keys), n=n, cutoff=0.6)
              if key not in found]  # fmt: skip
    return [i for key in found[:n] for i in keys[key]][:n]


def hint(suggestion: str | None) -> str:
    """ " (did you mean 'x'?)" for a suggestion, or "" for none: the one wording of it."""
    return f" (did you mean '{suggestion}'?)" if suggestion else ""


def closest(word: str, candidates: Iterable[str], display=lambda c: c) -> str | None:
    """The closest candidate to `word` by difflib's ratio, mapped through `display`, or None."""
    import difflib

    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return display(matches[0]) if matches else None


def _country_tables():
    from .iso3166 import COUNTRIES

    names = {code: name for code, (name, _aliases) in COUNTRIES.items()}
    names.update({"EU": "European Union", "G7": "Group of Seven"})
    aliases = {code: other for code, (_name, other) in COUNTRIES.items()}
    for code, extra in EXTRA_COUNTRY_ALIASES.items():
        aliases[code] = (*aliases.get(code, ()), *extra)
    return names, aliases, COUNTRY_GROUPS


def _mineral_tables():
    return {name: name for name in MINERAL_ALIASES}, MINERAL_ALIASES, MINERAL_GROUPS


MINERALS = Vocabulary("mineral", _mineral_tables)
COUNTRIES_VOCAB = Vocabulary("country", _country_tables)
