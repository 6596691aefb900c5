"""Two short original screenplays (the project's own text, written for these tests), in a line DSL.

``tests/screenplay_layouts.py`` lays them out in the formats and page layouts real screenplays use
(Fountain, Final Draft, indentation-laid-out plain text, PDF) and says what a reader must find.

One block per line, a tag, a space, the text:

- ``T`` transition (``FADE IN:`` stands at the action margin, every other one at the right);
- ``H n`` scene heading with its scene number ``n``; ``S n`` a shot (ANGLE ON, CLOSE ON, INSERT,
  BACK TO SCENE), read as a scene heading of its own (Fountain writes it as a forced heading);
- ``A`` an action paragraph;
- ``C`` a character cue (extension included); ``C^`` the second cue of a dual-dialogue pair;
- ``P`` a parenthetical and ``D`` a dialogue paragraph of the speech above (two ``D`` in a row: two
  paragraphs of one speech, with a blank line between them where the layout has room for it);
- ``E`` a centred line (``THE END``);
- title page lines before the first blank line: ``Title:``, ``Credit:``, ``Author:``, ``Draft:`` and
  ``Contact:`` (lines joined by `` / ``).
"""

from __future__ import annotations

TALLOW = """\
Title: TALLOW AND BRASS
Credit: written by
Author: Wren Adair
Draft: Second Draft - 14 March 2025
Contact: Wren Adair / 14 Ropewalk Lane / Bristol BS1 4QP / wren.adair@example.com / 0117 496 0321

T FADE IN:
H 1 EXT. CANAL STREET - DUSK
A Fog sits on the water like a lid. Iron lamp posts march along the towpath, every one of them dark.
A NELL HARROW (30s), coat patched at both elbows, carries a long brass pole with a hooked end. A tin \
of matches rides in her hatband.
A She hooks the first lamp's little door, strikes, reaches up. The mantle catches with a soft cough \
of light.
A Behind her, KIT (11), barefoot and quick, copies every move with a bent stick.
C NELL
D You're doing it backwards.
C KIT
D You're doing it slow.
C NELL
P (not turning)
D Slow is how you keep your eyebrows.
A Kit considers this. Touches his own eyebrows to check.
S 1A CLOSE ON THE GUTTER
A Something glints between two cobbles. Round. Gold-coloured. Trailing a broken chain.
S 1B BACK TO SCENE
A Kit dives for it. Nell's pole comes down across his path like a toll gate.
C NELL
D Leave it.
C KIT
D It's a watch! A proper one!
C NELL
D It's somebody's watch. That's a different thing entirely.
A She scoops it up herself and wipes it on her sleeve. The case is dented, the glass cracked in a \
star.
C NELL (CONT'D)
D Old Finch will know whose it is. He knows every watch in this parish by its tick.
T CUT TO:
H 2 INT. FINCH CLOCKWORKS - NIGHT
A A narrow shop choked with clocks. Longcase clocks, carriage clocks, cuckoo clocks with their doors \
hanging open. All of them ticking, none of them agreeing.
A ABEL FINCH (60s), spectacles pushed up into white hair, bends over a workbench under a \
green-shaded lamp.
A The door bell JANGLES. Nell enters, Kit tight at her heels.
C ABEL
P (without looking up)
D We're closed, Nell Harrow. We have been closed since eighteen seventy.
C NELL
D Your sign says open.
C ABEL
D The sign is an optimist. I am not.
A She sets the watch on the bench. Abel glances at it. Then he looks again, and the second look \
lasts a long time.
S 2A INSERT - THE INSIDE OF THE CASE
A Engraved in a looping hand: "For E. - who kept the time when I could not."
S 2B BACK TO SCENE
A Abel's fingers have gone very still.
C KIT
D Is it worth a lot? It looks like it's worth a lot.
C ABEL
D It is worth exactly one daughter.
A Nell and Kit trade a look.
C ABEL (CONT'D)
D I made this for my Edith when she turned sixteen. Cut the wheels myself, every tooth. She wore it \
on a ribbon because the chain pinched her neck, and she wound it every night at nine, even the \
night she packed her bag and walked out of that door and did not come back.
P (beat)
D Eleven years. And now it turns up in a gutter, in your hand, on a Tuesday.
C NELL
D Where was she going?
C ABEL
D If I knew that, I would not have spent eleven years mending other people's clocks to keep from \
going mad.
T DISSOLVE TO:
H 3 EXT. CANAL STREET - NIGHT
A Every lamp is lit now. Pools of yellow on wet stone.
A CONSTABLE DRAY (40s), big, damp and bored, plants himself in Nell's way.
C CONSTABLE DRAY
D Heard you picked up something shiny tonight, Harrow.
C NELL
D Heard wrong.
C CONSTABLE DRAY
D A gentleman reported a watch lost on this street. Gold. Cracked glass. He was most particular \
about the cracked glass.
S 3A ANGLE ON THE FAR BRIDGE
A Half in shadow, a MAN IN A BOWLER HAT leans on the parapet. He is not looking at the water.
S 3B BACK TO SCENE
C NELL
D What gentleman?
C CONSTABLE DRAY
D The sort who leaves a shilling for your trouble.
A Kit pops up between them.
C KIT
D We never saw any watch! Never in our lives!
C^ NELL
D Kit. Hush. Now.
C CONSTABLE DRAY
P (to Kit)
D Funny. I never said it was a watch.
A Kit opens his mouth. Shuts it.
C CONSTABLE DRAY (CONT'D)
D Bring it to the station by morning, Harrow, or I come and find it.
A He tips his helmet and ambles off. On the bridge, the Man in the Bowler Hat has gone.
H 4 INT. MRS. HOLLOWAY'S BOARDING HOUSE - NELL'S ROOM - NIGHT
A A room the size of a wardrobe. A candle stub. A window that does not shut.
A MRS. HOLLOWAY (70s), the landlady, fills the doorway with knitting in one hand and a rent book in \
the other.
C MRS. HOLLOWAY
D Two visitors asking after you, dearie. One in a helmet, one in a hat. Neither of them wiped his \
feet.
C NELL
D What did you tell them?
C MRS. HOLLOWAY
D That you were out, and that I am deaf, and that my late husband kept a cricket bat behind the door.
A She taps the door frame. The cricket bat is in fact behind the door.
C MRS. HOLLOWAY (CONT'D)
D The one in the hat said a name. Edith.
A Nell turns the watch over in her palm. It is ticking now.
C NELL (V.O.)
D Abel had set it going. Nine o'clock exactly, he said, the way she always kept it.
S 4A CLOSE ON THE WATCH FACE
A The minute hand nudges toward twelve. The hour hand rests on nine.
T SMASH CUT TO:
H 5 INT. FINCH CLOCKWORKS - LATER
A Every clock in the shop STRIKES NINE at once. Abel sits in the racket with his eyes shut.
A BONG! BONG! BONG!
A The door bell jangles. He does not open his eyes.
C ABEL
D I told you, we are closed.
C WOMAN (O.S.)
D You always said that, and you never once meant it.
A Abel's eyes open.
A In the doorway: EDITH FINCH (late 20s), travel-stained, a ribbon at her throat and nothing \
hanging from it. Behind her, Nell, pole on her shoulder, and Kit.
C EDITH
D The man in the bowler hat took it off me at the station. He said it would fetch enough to get \
him to Liverpool.
C NELL
D It didn't get him past the canal.
C ABEL
P (hoarse)
D Edie.
C EDITH
D Hello, Papa. I am sorry I am late.
A Abel gets up. His knees crack like kindling. He crosses the shop between the ticking clocks and \
takes her face in his two hands.
C KIT
P (whispering, to Nell, without taking his eyes off them)
D Does this mean we don't get a reward?
C NELL
D It means hush.
T CUT TO:
H 6 EXT. CANAL BRIDGE - DAWN
A Grey light. Nell walks the towpath with her pole, snuffing lamps one by one. Kit trails behind, \
swinging a new pocket watch on a ribbon.
C KIT
D He says I'm to wind it every night at nine.
C NELL
D Then you'll finally know when it's bedtime.
C KIT
D I always know when it's bedtime. I just don't agree with it.
A Nell snuffs the last lamp. The fog lifts off the water, and the street is ordinary again.
T FADE OUT.
E THE END
"""

QUIET = """\
Title: THE QUIET FLOOR
Credit: Written by
Author: Tomasz Reyes-Lund
Draft: First Draft
Contact: Represented by / Halvard & Stone Literary / 22 Market Row, Leeds LS1 6DT / (0113) 496 0870

T FADE IN:
H 1 INT. CITY RECORDS ARCHIVE - BASEMENT LEVEL - NIGHT
A Rolling stacks, floor to ceiling, numbered in stencil. Fluorescent tubes buzz; one of them \
flickers in a rhythm that could almost be Morse.
A PRIYA SHAH (34), cardigan, headlamp pushed up on her forehead, wheels a book trolley down aisle \
14. The trolley has one bad wheel. It complains every metre.
C PRIYA (V.O.)
D Nobody comes down here after six. That's the whole point of the night shift. The files don't \
argue, and the dead don't ask for overtime.
A A SOUND from the far end of the aisle. A box sliding off a shelf. Priya freezes.
C PRIYA
D Hello?
A Nothing. The fluorescent tube flickers.
C PRIYA (CONT'D)
P (louder)
D This is a restricted floor. If you're a rat, I'm legally obliged to ask you to leave.
S 1A ANGLE ON AISLE 14 - THE FAR END
A A cardboard box lies on its side. Papers fan across the floor. Standing over them, holding a \
torch: DOUG MBEKI (50s), security guard, hat too small for his head.
S 1B BACK TO SCENE
C DOUG
D It's me. It's only me.
C PRIYA
D Doug. You're supposed to radio before you come down.
C DOUG
D Radio's dead. Everything down here is dead. That's your line, isn't it?
A He crouches and gathers the papers. Stops on one.
S 1C CLOSE ON THE INDEX CARD
A Typed, yellow with age: "SHAH, R. - TRANSFERRED - SEE BOX 1187."
S 1D BACK TO SCENE
C DOUG (CONT'D)
D Shah. Relation of yours?
C PRIYA
D It's a common name.
C DOUG
D Not down here it isn't.
T CUT TO:
H 2 INT. ARCHIVE - READING ROOM - NIGHT
A Long oak tables. Green lamps. Priya sets BOX 1187 down and lifts the lid as if it might bite.
A Doug hovers, pretending not to.
C PRIYA
D My grandfather worked here. Nineteen sixty-eight to seventy-four. Then he stopped, and nobody in \
my family will say why.
C DOUG
D Maybe he got bored.
C PRIYA
D He kept a diary every day for fifty years, Doug. Every day except those six.
A She pulls out a bundle of letters tied with string. Her phone BUZZES on the table.
S 2A INSERT - PRIYA'S PHONE
A A text from Dr. Okonjo: "Heard you requested 1187. Do not open it before I get there."
S 2B BACK TO SCENE
C DOUG
D Who's Okonjo?
C PRIYA
D The chief archivist. Who has never once been awake at this hour.
A She dials and puts the phone to her ear.
H 3 INT. DR. OKONJO'S CAR - MOVING - NIGHT
A DR. ADAEZE OKONJO (60s), silver braids, drives one-handed through rain, the phone wedged against \
her shoulder.
C DR. OKONJO
P (into phone)
D Tell me you haven't untied the string.
C PRIYA (O.S.)
P (filtered)
D I haven't untied the string.
C DR. OKONJO
D You've untied the string.
H 4 INT. ARCHIVE - READING ROOM - CONTINUOUS
A Priya, string in her hand, guilty.
C PRIYA
D It was already loose. Mostly.
C DR. OKONJO (V.O.)
D Put the letters back in the box, put the box on the table, and step away from it like it's a \
sleeping dog.
C PRIYA
D Why?
C DR. OKONJO (V.O.)
D Because I promised your grandfather I'd be in the room when one of you finally opened it.
A Priya lowers the phone. Doug stares at her.
C DOUG
D She knew him?
C^ PRIYA
D She knew him.
A The lamp over their table flickers, in rhythm with the tube downstairs.
T DISSOLVE TO:
H 5 INT. ARCHIVE - READING ROOM - LATER
A Dr. Okonjo, coat dripping, sits across from Priya. The letters lie between them, still in their \
bundle.
C DR. OKONJO
D Ravi Shah was the best indexer this building ever had. He could find a single deed in a flood of \
a million.
D And in nineteen seventy-four he found one he was not meant to.
C PRIYA
D Whose?
C DR. OKONJO
D The council's. A parcel of land on the river that half the city was told belonged to nobody.
P (beat)
D He wrote it all down. Then they moved him to a desk with no files on it, and he took the hint.
C DOUG
D And you kept his box? For fifty years?
C DR. OKONJO
D I kept the index card. Boxes get lost. Index cards are forever.
A Priya unties the rest of the string. This time, nobody stops her.
S 5A CLOSE ON THE TOP LETTER
A In faded blue ink: "To whichever Shah comes looking - it was never nobody's."
S 5B BACK TO SCENE
C PRIYA
P (quietly)
D It was never nobody's.
C DOUG
P (to Okonjo)
D So what do we do?
C^ DR. OKONJO
D We open the rest of them.
T CUT TO:
H 6 INT. CITY RECORDS ARCHIVE - BASEMENT LEVEL - DAWN
A The fluorescent tube has finally died. Grey daylight leaks down the stairwell.
A Priya wheels the trolley back to aisle 14. Box 1187 rides on top, its lid taped shut, a new label \
on the side in her handwriting: "OPEN."
C PRIYA (V.O.)
D Nobody comes down here after six. Now, somebody will.
T FADE OUT.
E THE END
"""

STORIES = {"tallow": TALLOW, "quiet": QUIET}
