"""Short, varied, seeded news articles for the adversarial scenarios (no data files needed).

`article(rng)` writes one article about a made-up event; `cluster(rng, n)` writes `n` articles about
the same event (the same facts worded differently, as different outlets would), so a summary of a
cluster can cite passages of every article.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

CITIES = ("Mosul", "Aleppo", "Basra", "Homs", "Erbil", "Latakia", "Kirkuk", "Tartus", "Najaf", "Hama",
          "Raqqa", "Daraa", "Sulaymaniyah", "Idlib", "Karbala", "Deir ez-Zor")  # fmt: skip
PEOPLE = ("Amal Haddad", "Karim Mansour", "Leila Nasser", "Omar Farouk", "Rania Saleh", "Yusuf Khalil",
          "Huda Rahman", "Tariq Aziz", "Samira Jaber", "Faisal Hamdan", "Nadia Qasim",
          "Walid Issa")  # fmt: skip
ROLES = ("governor", "health minister", "civil defence chief", "mayor", "interior ministry spokesman",
         "UN coordinator")  # fmt: skip
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
OUTLETS = ("Reuters", "AFP", "Al Jazeera", "The National", "Rudaw", "Enab Baladi", "AP", "BBC Arabic")

EVENTS = (
    ("flood", "Flash floods swept through {city} on {day}, killing at least {n} people and forcing "
              "{m} families from their homes, the {role} {person} said.",
     "Rescue teams pulled survivors from collapsed buildings in the old quarter of {city}, where "
     "water rose above two metres within an hour.",
     "The {role} said {m} families were sheltering in schools and mosques and appealed for clean "
     "water, blankets and fuel.",
     "Residents blamed blocked drainage canals that the municipality had promised to clear last year."),
    ("fire", "A fire at a fuel depot in {city} on {day} killed {n} workers and injured dozens more, "
             "according to {person}, the {role}.",
     "Firefighters battled the blaze for nine hours before bringing it under control, and thick "
     "smoke covered the eastern districts of {city}.",
     "Investigators are examining whether a leaking pipeline caused the explosion, {person} said, "
     "adding that {m} nearby homes were evacuated.",
     "The depot supplies most of the heating oil used in the province during winter."),
    ("quake", "An earthquake of magnitude 5.{k} struck near {city} on {day}, killing {n} people and "
              "damaging {m} buildings, the {role} {person} said.",
     "The tremor was felt across the region, and aftershocks continued through the night as "
     "families slept outdoors in {city}.",
     "Hospitals in {city} treated hundreds of injured people, many hurt by falling masonry, the "
     "{role} said.",
     "Engineers began inspecting schools and bridges before classes resume next week."),
    ("talks", "Officials from both governments met in {city} on {day} and agreed to reopen {n} "
              "border crossings closed since the war, the {role} {person} announced.",
     "The deal also covers trucks carrying grain and medicine, which have waited for weeks at the "
     "frontier near {city}.",
     "{person} said {m} customs officers would be deployed to speed up inspections at the crossings.",
     "Traders welcomed the agreement but warned that fuel shortages could still delay shipments."),
    ("arrests", "Security forces in {city} arrested {n} people on {day} accused of smuggling weapons "
                "across the border, the {role} {person} said.",
     "The raids targeted warehouses on the outskirts of {city}, where officers seized rifles, "
     "ammunition and explosives.",
     "{person} said the network had moved weapons through {m} villages over the past year.",
     "Human rights groups urged the authorities to ensure the detainees have access to lawyers."),
    ("outbreak", "Health authorities in {city} recorded {n} cholera cases on {day}, the highest daily "
                 "count this year, the {role} {person} said.",
     "Most patients came from camps for displaced people on the edge of {city}, where clean water "
     "is scarce.",
     "The {role} said {m} medical teams were sent to the camps with chlorine tablets and oral "
     "rehydration salts.",
     "Aid agencies warned that the outbreak could spread further as temperatures rise."),
)  # fmt: skip


@dataclass(frozen=True)
class Event:
    kind: str
    slots: dict[str, str]

    def paragraphs(self, variant: int = 0) -> list[str]:
        templates = next(e for e in EVENTS if e[0] == self.kind)[1:]
        out = [t.format(**self.slots) for t in templates]
        if variant % 2:  # another outlet: the same facts, paragraphs in another order, one line added
            out = [out[0], out[2], out[1], out[3]]
        if variant:
            out.append(f"{OUTLETS[variant % len(OUTLETS)]} could not independently verify the figures.")
        return out


def event(rng: random.Random) -> Event:
    kind = rng.choice(EVENTS)[0]
    slots = {
        "city": rng.choice(CITIES),
        "day": rng.choice(DAYS),
        "person": rng.choice(PEOPLE),
        "role": rng.choice(ROLES),
        "n": str(rng.randint(3, 480)),
        "m": str(rng.randint(20, 9000)),
        "k": str(rng.randint(1, 9)),
    }
    return Event(kind, slots)


def article(rng: random.Random) -> str:
    """One short article (4 paragraphs) about a new made-up event."""
    return "\n\n".join(event(rng).paragraphs()) + "\n"


def cluster(rng: random.Random, n: int) -> list[dict[str, str]]:
    """`n` articles about one event from different outlets, as dicts for `load_articles`."""
    ev = event(rng)
    return [
        {
            "text": "\n\n".join(ev.paragraphs(variant=i)),
            "title": f"{ev.kind.title()} in {ev.slots['city']} ({OUTLETS[i % len(OUTLETS)]})",
            "outlet": OUTLETS[i % len(OUTLETS)],
        }
        for i in range(n)
    ]


_SYLLABLES = ("ka", "ri", "mo", "tal", "sen", "dor", "vi", "lu", "nesh", "ar", "bel", "qu", "zim", "to",
              "ran", "el", "pha", "gor", "is", "ven", "da", "mir", "so", "hul")  # fmt: skip
_GLUE = ("the", "of", "in", "and", "said", "on", "at", "after", "with", "for", "from", "near")


def filler(rng: random.Random, paragraphs: int = 2) -> str:
    """An article of made-up words: no two share much vocabulary, so large folders stay cheap to
    compare (no near-duplicate groups, no numbers to conflict); every word is still a real token."""
    vocab = ["".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(60)]
    out = []
    for _ in range(paragraphs):
        sentences = []
        for _ in range(rng.randint(2, 3)):
            words = [rng.choice(vocab) if rng.random() < 0.7 else rng.choice(_GLUE) for _ in range(12)]
            words[0] = words[0].capitalize()
            sentences.append(" ".join(words) + ".")
        out.append(" ".join(sentences))
    return "\n\n".join(out) + "\n"
