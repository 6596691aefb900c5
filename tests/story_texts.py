"""Original short stories for the story-layer tests (written for simcheck; no outside text).

``LIGHTHOUSE``: eight scenes of a lighthouse keeper's story. ``RETOLD``: the same story, scene by scene,
with every character renamed and every line reworded (the plot's things and events stay: that is what a
retelling keeps). ``BAKERY``: an unrelated story of eight scenes. ``filler(seed)``: a script of ordinary
words in random order, a stand-in for unrelated references.
"""

from __future__ import annotations

import random

from simcheck.model import ACTION, CHARACTER, DIALOGUE, Script
from tests.handmade import SceneSpec, build_script

# (heading, action, [(speaker, line), ...])
Scene = tuple[str, str, list[tuple[str, str]]]

LIGHTHOUSE: list[Scene] = [
    (
        "EXT. HARBOUR - DAWN",
        "Fishing boats rock against the pier. A telegram boy runs along the quay with an envelope.",
        [
            ("MAREN", "A telegram for the keeper? My father has been dead a winter already."),
            ("TOBIAS", "It says the lighthouse passes to you, sister, unless the inspector finds fault."),
        ],
    ),
    (
        "INT. LIGHTHOUSE - LANTERN ROOM - NIGHT",
        "The great lens turns. Maren polishes brass and counts the paraffin barrels twice.",
        [
            ("MAREN", "Nine barrels. The ledger says twelve were delivered in autumn."),
            ("TOBIAS", "Ledgers lie. Barrels leak. Go to bed."),
        ],
    ),
    (
        "EXT. CLIFF PATH - DAY",
        "Gulls scream over the rocks. Isolde, the inspector, climbs the path with a leather satchel.",
        [
            ("ISOLDE", "I will examine every entry of your ledger, miss. Every gallon of oil."),
            ("MAREN", "Then you will find the missing barrels before I do."),
        ],
    ),
    (
        "INT. LIGHTHOUSE - LANTERN ROOM - STORM",
        "A storm hammers the glass. The flame gutters. Out at sea, a schooner's lamps drift toward the reef.",
        [
            ("MAREN", "The wick is drowning! Bring the spare oil, quickly!"),
            ("TOBIAS", "There is no spare oil. I sold it to the smugglers."),
        ],
    ),
    (
        "EXT. REEF - NIGHT",
        "The schooner strikes the reef. Maren rows out alone in the dinghy, a lantern tied to the bow.",
        [
            ("MAREN", "Take the rope! Climb down, all of you, one at a time!"),
            ("SAILOR", "God bless the keeper of the light!"),
        ],
    ),
    (
        "INT. KEEPER'S COTTAGE - MORNING",
        "Wet blankets steam by the stove. Rescued sailors sleep on the floor. Tobias will not meet her eyes.",
        [
            ("MAREN", "You sold the oil and nearly drowned eleven men."),
            ("TOBIAS", "I owed the smugglers money. They would have burned the boat shed."),
        ],
    ),
    (
        "INT. HARBOUR OFFICE - DAY",
        "Isolde spreads the ledger on the desk beside a smuggler's receipt with Tobias's signature.",
        [
            ("ISOLDE", "Your brother's hand is on this receipt. The board will take the light from you."),
            ("MAREN", "Then take it from me, not from him. I kept the book."),
        ],
    ),
    (
        "EXT. LIGHTHOUSE GALLERY - SUNSET",
        "The board's letter flutters in Maren's hand. Tobias climbs with a new barrel on his shoulder.",
        [
            ("TOBIAS", "I confessed to the board. The light stays yours."),
            ("MAREN", "Then we keep it together. Fill the lamp, brother."),
        ],
    ),
]

RETOLD: list[Scene] = [
    (
        "EXT. QUAYSIDE - EARLY MORNING",
        "Trawlers creak at the pier. A messenger boy hurries down the quay, waving a telegram.",
        [
            ("JUNE", "Who sends the keeper a telegram? Dad's been buried since winter."),
            ("OWEN", "The lighthouse is yours now, sis. Only the inspector can stop it."),
        ],
    ),
    (
        "INT. TOP OF THE TOWER - NIGHT",
        "The lens revolves slowly. June rubs the brass rails and counts paraffin barrels by lamplight.",
        [
            ("JUNE", "Only nine. The ledger swears twelve barrels came in the autumn delivery."),
            ("OWEN", "Barrels leak, ledgers lie. Sleep."),
        ],
    ),
    (
        "EXT. PATH ABOVE THE ROCKS - AFTERNOON",
        "Over the gulls and the rocks, Vera the inspector trudges uphill, satchel on her back.",
        [
            ("VERA", "Your ledger, please. I check each entry, each gallon of oil."),
            ("JUNE", "You may find the missing barrels sooner than I can."),
        ],
    ),
    (
        "INT. TOP OF THE TOWER - THE STORM",
        "Rain lashes the glass and the flame sinks. A schooner's lamps are drifting toward the reef.",
        [
            ("JUNE", "The wick's going out! Fetch the spare oil!"),
            ("OWEN", "It's gone. The smugglers bought it from me."),
        ],
    ),
    (
        "EXT. OPEN SEA BY THE REEF - NIGHT",
        "The schooner breaks on the reef. June pulls the dinghy through waves, a lantern on the bow.",
        [
            ("JUNE", "Grab the rope! Down you come, one by one!"),
            ("DECKHAND", "Bless the keeper and her light!"),
        ],
    ),
    (
        "INT. COTTAGE KITCHEN - DAYBREAK",
        "Blankets steam beside the stove while rescued sailors snore on the floor. Owen stares at his boots.",
        [
            ("JUNE", "Eleven men nearly drowned because you sold our oil."),
            ("OWEN", "The smugglers wanted their money or they'd burn the boat shed."),
        ],
    ),
    (
        "INT. THE HARBOUR MASTER'S OFFICE - DAY",
        "Vera lays the ledger open next to a smuggler's receipt signed by Owen.",
        [
            ("VERA", "That is your brother's signature on the receipt. The board will take the light."),
            ("JUNE", "Take it from me then, the ledger was mine to keep."),
        ],
    ),
    (
        "EXT. GALLERY OF THE LIGHTHOUSE - DUSK",
        "June holds the board's letter. Owen hauls a fresh barrel up the stairs on his shoulder.",
        [
            ("OWEN", "I told the board everything. You keep the light."),
            ("JUNE", "We keep it, both of us. Go on, fill the lamp."),
        ],
    ),
]

BAKERY: list[Scene] = [
    (
        "INT. BAKERY - BEFORE DAWN",
        "Flour hangs in the air. Pim kneads sourdough while the oven ticks as it warms.",
        [
            ("PIM", "The county fair judges taste the rye on Saturday."),
            ("ROSA", "Then we need the starter my grandmother kept alive for forty years."),
        ],
    ),
    (
        "EXT. MARKET SQUARE - MORNING",
        "Stalls of cheese and apples. A rival baker, Lorenz, sells croissants under a striped awning.",
        [
            ("LORENZ", "Your rye is heavy as a brick, Pim. The judges prefer butter."),
            ("PIM", "Butter hides bad flour. Rye tells the truth."),
        ],
    ),
    (
        "INT. BAKERY - NIGHT",
        "The jar of starter is empty and scrubbed. Rosa holds it up to the lamp.",
        [
            ("ROSA", "Someone washed the starter down the sink."),
            ("PIM", "Forty years of yeast, gone in a minute."),
        ],
    ),
    (
        "EXT. ORCHARD - DAY",
        "Pim and Rosa gather wild apples and catch yeast from their skins in a bowl of water.",
        [
            ("ROSA", "Grandmother began hers from apples, the same way."),
            ("PIM", "Five days to wake it. The fair is in six."),
        ],
    ),
    (
        "INT. FAIR TENT - SATURDAY",
        "Long tables of loaves. Judges in aprons slice, sniff and chew.",
        [
            ("JUDGE", "The crumb is open, the crust crackles. Whose rye is this?"),
            ("LORENZ", "Mine, of course."),
        ],
    ),
    (
        "INT. FAIR TENT - LATER",
        "Pim lifts the label on the loaf: his own oven mark is pressed into the crust underneath.",
        [
            ("PIM", "That is my mark. You stole the loaf from my cooling rack."),
            ("JUDGE", "Both of you will bake again, here, in front of us."),
        ],
    ),
    (
        "INT. FAIR KITCHEN - AFTERNOON",
        "Two ovens side by side. Lorenz's dough slumps; Pim's apple starter rises high.",
        [
            ("ROSA", "It rose. Grandmother would laugh."),
            ("LORENZ", "I never could make rye."),
        ],
    ),
    (
        "EXT. MARKET SQUARE - EVENING",
        "A blue ribbon hangs on Pim's stall. Lorenz buys a loaf and pays double.",
        [
            ("LORENZ", "Teach me the apple trick next spring."),
            ("PIM", "Bring your butter. We will trade."),
        ],
    ),
]

_ORDINARY = """
    table window morning evening coffee street train ticket office paper phone garden summer winter
    doctor school lesson money market friend house room door chair clock river bridge road car bus
    shoes coat shirt hat bread cheese soup kitchen dinner lunch breakfast music song piano guitar
    radio television film camera picture letter card birthday party dance game ball team match goal
    city village farm field cow horse dog cat bird tree flower grass stone wall roof floor stairs
    bottle glass cup plate spoon knife fork sugar salt pepper tea milk water wine beer juice apple
    pencil book library teacher student exam holiday beach sand hotel bed pillow blanket lamp candle
    computer printer desk meeting report manager worker factory machine engine wheel tyre garage
    painter brush colour red blue green yellow black white orange purple grey brown pink silver
""".split()


def filler(seed: int, scenes: int = 8) -> list[Scene]:
    """A script of ordinary words in random order (deterministic per ``seed``)."""
    rng = random.Random(seed)
    out: list[Scene] = []
    for k in range(scenes):
        action = " ".join(rng.choice(_ORDINARY) for _ in range(18)).capitalize() + "."
        lines = [
            (speaker, " ".join(rng.choice(_ORDINARY) for _ in range(12)).capitalize() + ".")
            for speaker in ("ALEX", "SAM", "ALEX")
        ]
        out.append((f"INT. PLACE {seed}-{k} - DAY", action, lines))
    return out


def as_script(story: list[Scene], path: str, order: list[int] | None = None) -> Script:
    """The story as a screenplay (scenes in ``order`` if given)."""
    specs: list[SceneSpec] = []
    for k in order if order is not None else range(len(story)):
        heading, action, lines = story[k]
        elements: list[tuple[str, ...]] = [(ACTION, action)]
        for speaker, line in lines:
            elements.append((CHARACTER, speaker))
            elements.append((DIALOGUE, line, speaker))
        specs.append((heading, elements))
    return build_script(specs, path=path)
